import type { Migration } from './types.js';

/**
 * What the status filters and confidence order read (issue 14), kept by triggers on every write
 * path (typed, accepted, bulk, undo, imports, target removal) so that a page of 100,000 images
 * is an index lookup rather than a count of every image's labels:
 * - `images.human_answers`: how many targets the image has a human label for. 'pending' is
 *   fewer than the number of targets, 'complete' all of them, 'untouched' none. Indexed alone (id
 *   order: it ends on the rowid) and ahead of the name and last-edit orders, so an equality
 *   ('complete', 'untouched') reads those orders without a sort however few images match;
 * - `annotations.has_human` on a model prediction: 1 while a human label of the same image and
 *   target exists (the prediction is then no suggestion any more). The confidence index leads
 *   with it, so "a target's predictions, lowest confidence first" reads the index in order.
 * Annotations change source, image or target through no write path (the key holds all three),
 * but the UPDATE triggers keep both right if one ever does.
 */
export const migration0010: Migration = {
  version: 10,
  name: '0010-page-counts',
  up(db) {
    db.exec(`
      ALTER TABLE images ADD COLUMN human_answers INTEGER NOT NULL DEFAULT 0;
      UPDATE images SET human_answers = (SELECT count(*) FROM annotations a WHERE a.image_id = images.id AND a.source = 'human');
      CREATE INDEX images_by_answers ON images (human_answers);
      CREATE INDEX images_by_answers_name ON images (human_answers, original_name COLLATE NOCASE);
      CREATE INDEX images_by_answers_edit ON images (human_answers, edited_version);

      ALTER TABLE annotations ADD COLUMN has_human INTEGER NOT NULL DEFAULT 0;
      UPDATE annotations SET has_human = 1 WHERE source = 'model' AND EXISTS (
        SELECT 1 FROM annotations h WHERE h.image_id = annotations.image_id AND h.target_id = annotations.target_id AND h.source = 'human'
      );

      CREATE TRIGGER page_counts_on_insert AFTER INSERT ON annotations
      BEGIN
        UPDATE images SET human_answers = human_answers + 1 WHERE NEW.source = 'human' AND id = NEW.image_id;
        UPDATE annotations SET has_human = 1
          WHERE NEW.source = 'human' AND image_id = NEW.image_id AND target_id = NEW.target_id AND source = 'model';
        UPDATE annotations SET has_human = EXISTS (
          SELECT 1 FROM annotations h WHERE h.image_id = NEW.image_id AND h.target_id = NEW.target_id AND h.source = 'human'
        ) WHERE NEW.source = 'model' AND image_id = NEW.image_id AND target_id = NEW.target_id AND source = 'model';
      END;
      CREATE TRIGGER page_counts_on_delete AFTER DELETE ON annotations WHEN OLD.source = 'human'
      BEGIN
        UPDATE images SET human_answers = human_answers - 1 WHERE id = OLD.image_id;
        UPDATE annotations SET has_human = 0 WHERE image_id = OLD.image_id AND target_id = OLD.target_id AND source = 'model';
      END;
      CREATE TRIGGER page_counts_on_move AFTER UPDATE OF image_id, target_id, source ON annotations
      BEGIN
        UPDATE images SET human_answers = human_answers - 1 WHERE OLD.source = 'human' AND id = OLD.image_id;
        UPDATE images SET human_answers = human_answers + 1 WHERE NEW.source = 'human' AND id = NEW.image_id;
        UPDATE annotations SET has_human = EXISTS (
          SELECT 1 FROM annotations h WHERE h.image_id = annotations.image_id AND h.target_id = annotations.target_id AND h.source = 'human'
        ) WHERE source = 'model' AND ((image_id = OLD.image_id AND target_id = OLD.target_id) OR (image_id = NEW.image_id AND target_id = NEW.target_id));
      END;

      -- The confidence index of migration 7, now leading with has_human and ending on the image:
      -- a target's open predictions (or its accepted labels) in confidence order, ties by image.
      DROP INDEX annotations_by_confidence;
      CREATE INDEX annotations_by_confidence ON annotations (target_id, source, has_human, confidence, image_id);
    `);
  },
};
