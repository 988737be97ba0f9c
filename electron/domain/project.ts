import { randomUUID } from 'node:crypto';
import { mkdirSync, realpathSync } from 'node:fs';
import { realpath } from 'node:fs/promises';
import path from 'node:path';
import { DatabaseNeedsUpgradeError } from '../store/database.js';
import { Store } from '../store/store.js';

export const DB_FILE = 'polyhead.sqlite';

/** What a new project starts with: the default targets (digits, length, font_style, script), or none. */
export interface NewProjectOptions {
  defaultTargets?: boolean;
}

export interface ProjectOpenOptions extends NewProjectOptions {
  /**
   * 'write' (the default) creates what is missing and upgrades the schema; 'read' opens the
   * database read-only and writes nothing (reading commands; a project on read-only media), unless
   * an older Polyhead wrote it: then it is opened to write once, for its migrations.
   */
  mode?: 'write' | 'read';
  /** 'quick' (the default): refuse a damaged database at open (PRAGMA quick_check). */
  check?: 'quick' | 'none';
}

/** A project: a data folder holding the SQLite file and the stored images. */
export class Project {
  private constructor(
    readonly dataDir: string,
    readonly store: Store,
  ) {}

  /**
   * Opens the project in `dataDir`, creating the folder and the database if missing (write
   * mode). A new project gets the default targets unless `options.defaultTargets` is false; an
   * existing one is left as it is (a project whose targets were all removed stays without targets).
   */
  static open(dataDir: string, options: ProjectOpenOptions = {}): Project {
    const dir = path.resolve(dataDir);
    if (options.mode === 'read') {
      try {
        return new Project(dir, Store.open(path.join(dir, DB_FILE), { readonly: true, check: options.check }));
      } catch (error) {
        if (!(error instanceof DatabaseNeedsUpgradeError)) throw error;
      }
    }
    mkdirSync(path.join(dir, 'images'), { recursive: true });
    const store = Store.open(path.join(dir, DB_FILE), { check: options.check });
    try {
      if (!store.setting<string>('project.createdAt')) {
        store.write(() => {
          if (options.defaultTargets !== false) store.targets.seedDefaults();
          store.putSetting('project.createdAt', new Date().toISOString());
          store.putSetting('project.name', path.basename(dir));
        });
      }
      if (!store.setting<string>('project.id')) store.write(() => store.putSetting('project.id', randomUUID()));
    } catch (error) {
      store.close();
      throw error;
    }
    return new Project(dir, store);
  }

  /** A random id made with the project (names its sign-in cookie); from the folder for projects that have none yet. */
  get id(): string {
    return this.store.setting<string>('project.id') ?? this.dataDir;
  }

  /** The data folder with its symlinks resolved: what a stored file's real path must stay inside. */
  private realDir: string | null = null;

  /** Absolute path of a stored file, refusing any path that would leave the data folder. */
  resolveStored(relative: string): string | null {
    const full = path.resolve(this.dataDir, relative);
    const rel = path.relative(this.dataDir, full);
    if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) return null;
    return full;
  }

  /**
   * The real path of a stored file to serve, or null when it is missing or its real path
   * (symlinks resolved) leaves the data folder: a stored image replaced by a link to another
   * file is never served.
   */
  async servableStored(relative: string): Promise<string | null> {
    const file = this.resolveStored(relative);
    if (!file) return null;
    try {
      this.realDir ??= realpathSync(this.dataDir);
      const real = await realpath(file);
      const rel = path.relative(this.realDir, real);
      return rel === '' || rel.startsWith('..') || path.isAbsolute(rel) ? null : real;
    } catch {
      return null;
    }
  }

  close(): void {
    this.store.close();
  }
}
