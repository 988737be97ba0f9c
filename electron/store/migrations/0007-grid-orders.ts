import type { Migration } from './types.js';

/**
 * What the Dataset grid sorts by (issue 13), indexed so that the first page of 100,000 images
 * is read in order rather than sorted:
 * - `images.edited_version`: the label-clock version of the image's last human label change,
 *   kept by triggers on every write path (typed, accepted, bulk, undo, imports) — NULL until
 *   the first. A label cleared back to "not looked at" takes a new tick of the clock (a removal
 *   has no version of its own), so it sorts after every change before it;
 * - file names without regard to case;
 * - one target's labels by confidence (model predictions, accepted suggestions).
 */
export const migration0007: Migration = {
  version: 7,
  name: '0007-grid-orders',
  up(db) {
    db.exec(`
      ALTER TABLE images ADD COLUMN edited_version INTEGER;
      UPDATE images SET edited_version = (
        SELECT max(a.version) FROM annotations a WHERE a.image_id = images.id AND a.source = 'human'
      );

      CREATE TRIGGER images_edited_on_insert AFTER INSERT ON annotations WHEN NEW.source = 'human'
      BEGIN
        UPDATE images SET edited_version = NEW.version WHERE id = NEW.image_id;
      END;
      CREATE TRIGGER images_edited_on_update AFTER UPDATE ON annotations WHEN NEW.source = 'human'
      BEGIN
        UPDATE images SET edited_version = NEW.version WHERE id = NEW.image_id;
      END;
      CREATE TRIGGER images_edited_on_delete AFTER DELETE ON annotations WHEN OLD.source = 'human'
      BEGIN
        UPDATE label_clock SET value = value + 1 WHERE id = 1;
        UPDATE images SET edited_version = (SELECT value FROM label_clock WHERE id = 1) WHERE id = OLD.image_id;
      END;

      CREATE INDEX images_by_edit ON images (edited_version);
      CREATE INDEX images_by_name_nocase ON images (original_name COLLATE NOCASE);
      CREATE INDEX annotations_by_confidence ON annotations (target_id, source, confidence);
    `);
  },
};
