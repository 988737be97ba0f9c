import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { Store } from '../store/store.js';

export const DB_FILE = 'polyhead.sqlite';

/** What a new project starts with: the default targets (digits, length, font_style, script), or none. */
export interface NewProjectOptions {
  defaultTargets?: boolean;
}

/** A project: a data folder holding the SQLite file and the stored images. */
export class Project {
  private constructor(
    readonly dataDir: string,
    readonly store: Store,
  ) {}

  /**
   * Opens the project in `dataDir`, creating the folder and the database if missing. A new
   * project gets the default targets unless `options.defaultTargets` is false; an existing
   * one is left as it is (a project whose targets were all removed stays without targets).
   */
  static open(dataDir: string, options: NewProjectOptions = {}): Project {
    const dir = path.resolve(dataDir);
    mkdirSync(path.join(dir, 'images'), { recursive: true });
    const store = Store.open(path.join(dir, DB_FILE));
    try {
      if (!store.setting<string>('project.createdAt')) {
        store.write(() => {
          if (options.defaultTargets !== false) store.targets.seedDefaults();
          store.putSetting('project.createdAt', new Date().toISOString());
          store.putSetting('project.name', path.basename(dir));
        });
      }
    } catch (error) {
      store.close();
      throw error;
    }
    return new Project(dir, store);
  }

  /** Absolute path of a stored file, refusing any path that would leave the data folder. */
  resolveStored(relative: string): string | null {
    const full = path.resolve(this.dataDir, relative);
    const rel = path.relative(this.dataDir, full);
    if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) return null;
    return full;
  }

  close(): void {
    this.store.close();
  }
}
