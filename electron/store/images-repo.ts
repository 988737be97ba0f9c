import type { Database, Statement } from 'better-sqlite3';
import type { ImageFilter } from '../../shared/image-filter.js';
import { buildImageQuery, type PageCursor } from './image-query.js';

export interface ImageRow {
  id: number;
  sha256: string;
  stored_path: string;
  original_path: string | null;
  original_name: string;
  format: string;
  width: number;
  height: number;
  channels: number;
  byte_size: number;
  import_batch_id: number | null;
  imported_at: string;
}

export interface NewImage {
  sha256: string;
  storedPath: string;
  originalPath: string | null;
  originalName: string;
  format: string;
  width: number;
  height: number;
  channels: number;
  byteSize: number;
  /** Null where the image is its own thumbnail (at or under the thumbnail size): the stored file is served. */
  thumbnail: StoredThumbnail | null;
  batchId: number | null;
  importedAt: string;
}

export interface StoredThumbnail {
  mime: 'image/png' | 'image/webp' | 'image/jpeg';
  data: Buffer;
}

const COLUMNS =
  'i.id, i.sha256, i.stored_path, i.original_path, i.original_name, i.format, i.width, i.height, i.channels, i.byte_size, i.import_batch_id, i.imported_at';

export interface ImageSource {
  id: number;
  originalPath: string | null;
  importBatchId: number | null;
}

export interface ImageName {
  id: number;
  /** The path relative to the folder it was imported from ('/' separators), or its bare name. */
  originalName: string;
  originalPath: string | null;
}

export class ImagesRepo {
  private readonly stmts: {
    insert: Statement<Omit<NewImage, 'thumbnail'>>;
    insertThumbnail: Statement<{ imageId: number; mime: string; data: Buffer }>;
    idByHash: Statement<[string], { id: number }>;
    get: Statement<[number], ImageRow>;
    thumbnail: Statement<[number], StoredThumbnail>;
    count: Statement<[], { n: number }>;
    byName: Statement<[string], { id: number }>;
    sources: Statement<[], ImageSource>;
    names: Statement<[], ImageName>;
  };
  /** Filtered queries, prepared once per distinct shape of filter. */
  private readonly queries = new Map<string, Statement>();
  /** Filter totals by query and parameters, with the change stamp they were counted at. */
  private readonly totals = new Map<string, { stamp: string; n: number }>();
  private counted: { stamp: string; n: number } | undefined;

  /** `changeStamp` changes whenever the database may have: a write here or a commit elsewhere (Store.changeStamp). */
  constructor(
    private readonly db: Database,
    private readonly changeStamp: () => string,
  ) {
    this.stmts = {
      insert: db.prepare(
        `INSERT INTO images (sha256, stored_path, original_path, original_name, format, width, height, channels, byte_size, import_batch_id, imported_at)
         VALUES (@sha256, @storedPath, @originalPath, @originalName, @format, @width, @height, @channels, @byteSize, @batchId, @importedAt)`,
      ),
      insertThumbnail: db.prepare('INSERT INTO image_thumbnails (image_id, mime, data) VALUES (@imageId, @mime, @data)'),
      idByHash: db.prepare('SELECT id FROM images WHERE sha256 = ?'),
      get: db.prepare(`SELECT ${COLUMNS} FROM images i WHERE i.id = ?`),
      thumbnail: db.prepare('SELECT mime, data FROM image_thumbnails WHERE image_id = ?'),
      count: db.prepare('SELECT count(*) AS n FROM images'),
      byName: db.prepare('SELECT id FROM images WHERE original_name = ? ORDER BY id'),
      sources: db.prepare('SELECT id, original_path AS originalPath, import_batch_id AS importBatchId FROM images'),
      names: db.prepare('SELECT id, original_name AS originalName, original_path AS originalPath FROM images ORDER BY id'),
    };
  }

  /** Inside the caller's transaction. */
  insert(image: NewImage): number {
    const { thumbnail, ...row } = image;
    const id = Number(this.stmts.insert.run(row).lastInsertRowid);
    if (thumbnail) this.stmts.insertThumbnail.run({ imageId: id, mime: thumbnail.mime, data: thumbnail.data });
    return id;
  }

  idByHash(sha256: string): number | undefined {
    return this.stmts.idByHash.get(sha256)?.id;
  }

  get(id: number): ImageRow | undefined {
    return this.stmts.get.get(id);
  }

  /** The stored thumbnail; undefined where the image is its own thumbnail (or does not exist). */
  thumbnail(id: number): StoredThumbnail | undefined {
    return this.stmts.thumbnail.get(id);
  }

  /** Cached until the database changes: project.info and project.stats ask on every call, and it reads a whole index. */
  count(): number {
    const stamp = this.changeStamp();
    if (this.counted?.stamp !== stamp) this.counted = { stamp, n: this.stmts.count.get()!.n };
    return this.counted.n;
  }

  /** Where every image came from, one row at a time: the groups a split by source keeps together. */
  sources(): IterableIterator<ImageSource> {
    return this.stmts.sources.iterate();
  }

  /** Every image's names, one row at a time (a labels file matched to the images of the project). */
  names(): IterableIterator<ImageName> {
    return this.stmts.names.iterate();
  }

  /** The first of `ids` that is no image, checked 5,000 at a time with the event loop free in between. */
  async firstMissing(ids: readonly number[]): Promise<number | undefined> {
    const stmt = this.statement('SELECT j.value AS id FROM json_each(@ids) j LEFT JOIN images i ON i.id = j.value WHERE i.id IS NULL ORDER BY j.key LIMIT 1');
    for (let i = 0; i < ids.length; i += 5000) {
      const row = stmt.get({ ids: JSON.stringify(ids.slice(i, i + 5000)) }) as { id: number } | undefined;
      if (row) return row.id;
      if (i + 5000 < ids.length) await new Promise<void>((resolve) => setImmediate(resolve));
    }
    return undefined;
  }

  idsByName(name: string): number[] {
    return this.stmts.byName.all(name).map((r) => r.id);
  }

  private statement(sql: string): Statement {
    let stmt = this.queries.get(sql);
    if (!stmt) {
      stmt = this.db.prepare(sql);
      this.queries.set(sql, stmt);
    }
    return stmt;
  }

  /**
   * One page: `limit` rows from `offset`, or (given `after`, the cursor of the page before) the
   * rows after it, which costs the same however deep the page is. `next` is the cursor of this
   * page's last row (null when the page is not full). The total is counted once per filter and
   * change of the database (`changeStamp`), not once per page.
   */
  list(
    filter: ImageFilter,
    targetCount: number,
    offset: number,
    limit: number,
    after?: PageCursor,
  ): { total: number; rows: ImageRow[]; next: PageCursor | null } {
    const q = buildImageQuery(filter, targetCount, after);
    const select = (from: string, params: object) =>
      this.statement(`SELECT ${COLUMNS}, ${q.cursorKey} AS page_key ${from} ${q.order} LIMIT @limit OFFSET @offset`).all(params) as (ImageRow & {
        page_key: number | string | null;
      })[];
    let rows: (ImageRow & { page_key: number | string | null })[];
    if (q.after.length === 0) rows = select(q.from, { ...q.params, limit, offset });
    else {
      rows = [];
      for (const condition of q.after) {
        if (rows.length === limit) break;
        rows.push(...select(`${q.from} AND (${condition})`, { ...q.params, limit: limit - rows.length, offset: 0 }));
      }
    }
    const last = rows.length === limit ? rows[rows.length - 1] : undefined;
    return {
      total: this.total(filter, targetCount),
      rows: rows.map(({ page_key: _, ...row }) => row),
      next: last ? { key: last.page_key, id: last.id } : null,
    };
  }

  /** How many images match the filter, cached until the database changes (here or in another process). */
  private total(filter: ImageFilter, targetCount: number): number {
    const q = buildImageQuery(filter, targetCount);
    const sql = q.count;
    const cacheKey = `${sql}\n${JSON.stringify(q.params)}`;
    const stamp = this.changeStamp();
    const cached = this.totals.get(cacheKey);
    if (cached?.stamp === stamp) return cached.n;
    const n = (this.statement(sql).get(q.params) as { n: number }).n;
    if (this.totals.size >= 64) this.totals.clear();
    this.totals.set(cacheKey, { stamp, n });
    return n;
  }

  /** Every id matching the filter, in the filter's order. */
  ids(filter: ImageFilter, targetCount: number): number[] {
    const q = buildImageQuery(filter, targetCount);
    return this.statement(`SELECT i.id ${q.from} ${q.order}`).pluck().all(q.params) as number[];
  }
}
