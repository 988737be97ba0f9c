import { migration0001 } from './0001-initial.js';
import { migration0002 } from './0002-training.js';
import { migration0003 } from './0003-edit-log.js';
import { migration0004 } from './0004-run-evaluations.js';
import { migration0005 } from './0005-label-safety.js';
import { migration0006 } from './0006-trustworthy-runs.js';
import { migration0007 } from './0007-grid-orders.js';
import { migration0008 } from './0008-compact-thumbnails.js';
import { migration0009 } from './0009-team.js';
import { migration0010 } from './0010-page-counts.js';
import { migration0011 } from './0011-label-counts.js';
import { migration0012 } from './0012-class-name-keys.js';
import { migration0013 } from './0013-imported-origin.js';
import { migration0014 } from './0014-uploaded-paths.js';
import type { Migration } from './types.js';

/** All migrations, in order. Append only: never edit one that has shipped. */
export const migrations: readonly Migration[] = [
  migration0001,
  migration0002,
  migration0003,
  migration0004,
  migration0005,
  migration0006,
  migration0007,
  migration0008,
  migration0009,
  migration0010,
  migration0011,
  migration0012,
  migration0013,
  migration0014,
];

export const LATEST_SCHEMA_VERSION = migrations.length;
