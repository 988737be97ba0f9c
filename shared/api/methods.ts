/**
 * The contract's method names without its schemas (no zod), for the sandboxed preload,
 * which must stay small. contract.ts checks at compile time that this list and the
 * request schemas name exactly the same methods.
 */
export const serviceMethods = {
  project: ['info', 'stats'],
  targets: ['list', 'createCategorical', 'createSequence', 'rename', 'remove', 'addClass', 'renameClass', 'mergeClass', 'deleteClass', 'setHotkey'],
  images: ['list', 'get', 'ids'],
  annotations: ['set', 'clear', 'accept', 'acceptMany', 'bulkSet', 'undo', 'redo', 'history'],
  training: ['backend', 'specs', 'runs', 'start', 'control', 'resume', 'metrics', 'evaluation', 'cell', 'mistakes', 'check', 'predict', 'export'],
  imports: ['start', 'status', 'list', 'beginUpload', 'startUpload', 'cancel'],
  exports: ['labels', 'dataset'],
} as const;
