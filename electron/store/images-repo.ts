import type { Database, Statement } from 'better-sqlite3';

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
  thumbnail: Buffer;
  batchId: number | null;
  importedAt: string;
}

export type ImageStatusFilter = 'any' | 'pending' | 'complete' | 'untouched';

const COLUMNS =
  'id, sha256, stored_path, original_path, original_name, format, width, height, channels, byte_size, import_batch_id, imported_at';
const ANSWERED = "(SELECT count(*) FROM annotations a WHERE a.image_id = images.id AND a.source = 'human')";
const FILTERS: Record<ImageStatusFilter, string> = {
  any: '1',
  pending: `${ANSWERED} < @targetCount`,
  complete: `${ANSWERED} >= @targetCount`,
  untouched: `${ANSWERED} = 0`,
};

export class ImagesRepo {
  private readonly stmts: {
    insert: Statement<NewImage>;
    idByHash: Statement<[string], { id: number }>;
    get: Statement<[number], ImageRow>;
    thumbnail: Statement<[number], { thumbnail: Buffer }>;
    count: Statement<[], { n: number }>;
    list: Record<ImageStatusFilter, Statement<{ targetCount: number; limit: number; offset: number }, ImageRow>>;
    total: Record<ImageStatusFilter, Statement<{ targetCount: number }, { n: number }>>;
    byName: Statement<[string], { id: number }>;
  };

  constructor(db: Database) {
    const list = {} as Record<ImageStatusFilter, Statement<{ targetCount: number; limit: number; offset: number }, ImageRow>>;
    const total = {} as Record<ImageStatusFilter, Statement<{ targetCount: number }, { n: number }>>;
    for (const [filter, where] of Object.entries(FILTERS) as [ImageStatusFilter, string][]) {
      const bound = where.includes('@targetCount') ? where : `${where} AND @targetCount IS NOT NULL`;
      list[filter] = db.prepare(`SELECT ${COLUMNS} FROM images WHERE ${bound} ORDER BY id LIMIT @limit OFFSET @offset`);
      total[filter] = db.prepare(`SELECT count(*) AS n FROM images WHERE ${bound}`);
    }
    this.stmts = {
      insert: db.prepare(
        `INSERT INTO images (sha256, stored_path, original_path, original_name, format, width, height, channels, byte_size, thumbnail, import_batch_id, imported_at)
         VALUES (@sha256, @storedPath, @originalPath, @originalName, @format, @width, @height, @channels, @byteSize, @thumbnail, @batchId, @importedAt)`,
      ),
      idByHash: db.prepare('SELECT id FROM images WHERE sha256 = ?'),
      get: db.prepare(`SELECT ${COLUMNS} FROM images WHERE id = ?`),
      thumbnail: db.prepare('SELECT thumbnail FROM images WHERE id = ?'),
      count: db.prepare('SELECT count(*) AS n FROM images'),
      byName: db.prepare('SELECT id FROM images WHERE original_name = ? ORDER BY id'),
      list,
      total,
    };
  }

  /** Inside the caller's transaction. */
  insert(image: NewImage): number {
    return Number(this.stmts.insert.run(image).lastInsertRowid);
  }

  idByHash(sha256: string): number | undefined {
    return this.stmts.idByHash.get(sha256)?.id;
  }

  get(id: number): ImageRow | undefined {
    return this.stmts.get.get(id);
  }

  thumbnail(id: number): Buffer | undefined {
    return this.stmts.thumbnail.get(id)?.thumbnail;
  }

  count(): number {
    return this.stmts.count.get()!.n;
  }

  idsByName(name: string): number[] {
    return this.stmts.byName.all(name).map((r) => r.id);
  }

  list(filter: ImageStatusFilter, targetCount: number, offset: number, limit: number): { total: number; rows: ImageRow[] } {
    return {
      total: this.stmts.total[filter].get({ targetCount })!.n,
      rows: this.stmts.list[filter].all({ targetCount, limit, offset }),
    };
  }
}
