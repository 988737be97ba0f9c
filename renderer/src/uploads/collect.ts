/**
 * The files a browser upload sends, each with its path relative to what was chosen or dropped
 * (`crops/a.png`, `crops/labels.csv`), so label files find their images on the server. From a
 * file input (files, or a folder with `webkitdirectory`), or from a drop, where folders are
 * walked through the File System entries API (DataTransferItem.webkitGetAsEntry).
 */

export interface UploadItem {
  file: File;
  path: string;
}

/** From `<input type=file multiple>` or `<input type=file webkitdirectory>`. */
export function fromFileList(files: ArrayLike<File>): UploadItem[] {
  return Array.from(files, (file) => ({ file, path: file.webkitRelativePath || file.name }));
}

/** The parts of the entries API a walk needs (jsdom has none of it; tests pass stand-ins). */
export interface Entry {
  isFile: boolean;
  isDirectory: boolean;
  name: string;
  fullPath: string;
}
export interface FileEntryLike extends Entry {
  file(success: (file: File) => void, failure?: (error: unknown) => void): void;
}
export interface DirectoryEntryLike extends Entry {
  createReader(): { readEntries(success: (entries: Entry[]) => void, failure?: (error: unknown) => void): void };
}

const message = (e: unknown) => (e instanceof Error ? e.message : String((e as { name?: string })?.name ?? e));

async function walk(entry: Entry, into: UploadItem[], problems: string[]): Promise<void> {
  const path = entry.fullPath.replace(/^\/+/, '') || entry.name;
  if (entry.isFile) {
    try {
      const file = await new Promise<File>((resolve, reject) => (entry as FileEntryLike).file(resolve, reject));
      into.push({ file, path });
    } catch (e) {
      problems.push(`${path}: cannot be read (${message(e)})`);
    }
    return;
  }
  if (!entry.isDirectory) return;
  const reader = (entry as DirectoryEntryLike).createReader();
  // readEntries hands a folder over in batches (Chromium: 100 at a time) until an empty one.
  for (;;) {
    let batch: Entry[];
    try {
      batch = await new Promise<Entry[]>((resolve, reject) => reader.readEntries(resolve, reject));
    } catch (e) {
      problems.push(`${path}/: cannot be read (${message(e)})`);
      return;
    }
    if (batch.length === 0) return;
    for (const child of batch) await walk(child, into, problems);
  }
}

/**
 * Everything dropped: files, and folders walked to their files. The entries must be taken
 * during the drop event (the list empties after it), so the caller passes them at once; an
 * item without an entry (a browser without the API) falls back to its plain file.
 */
export async function fromDroppedEntries(dropped: { entry: Entry | null; file: File | null }[]): Promise<{ items: UploadItem[]; problems: string[] }> {
  const items: UploadItem[] = [];
  const problems: string[] = [];
  for (const { entry, file } of dropped) {
    if (entry) await walk(entry, items, problems);
    else if (file) items.push({ file, path: file.name });
  }
  return { items, problems };
}

/** Reads a drop event's items synchronously (they are gone once the handler returns). */
export function takeDropped(transfer: DataTransfer): { entry: Entry | null; file: File | null }[] {
  return Array.from(transfer.items)
    .filter((item) => item.kind === 'file')
    .map((item) => ({ entry: (item.webkitGetAsEntry?.() as Entry | null) ?? null, file: item.getAsFile() }));
}
