import { request } from 'node:http';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { methodNames, type ApiResult, type QualifiedMethod } from '../../shared/api/contract.js';
import { serviceMethods } from '../../shared/api/methods.js';
import { runImport } from '../../electron/importer/importer.js';
import { openRuntime, type Runtime } from '../../electron/app/runtime.js';
import { ownerToken } from '../../electron/domain/users.js';
import { startServer, type RunningServer } from '../../electron/server/server.js';
import { tempDir } from '../helpers.js';

/** Malformed payloads for every method of the contract, each with the field its error must name. */
const malformed: Record<QualifiedMethod, [payload: unknown, field: string][]> = {
  'project.info': [
    [42, '(request)'],
    ['x', '(request)'],
    [{ extra: 1 }, '(request)'],
  ],
  'project.stats': [
    [[], '(request)'],
    [{ verbose: true }, '(request)'],
  ],
  'targets.list': [
    [true, '(request)'],
    [{ all: 1 }, '(request)'],
  ],
  'targets.createCategorical': [
    [{}, 'name'],
    [{ name: '' }, 'name'],
    [{ name: 'a/b' }, 'name'],
    [{ name: 'x'.repeat(65) }, 'name'],
    [{ name: 'weather', classes: 'sunny' }, 'classes'],
    [{ name: 'weather', classes: ['sunny', 3] }, 'classes.1'],
    [{ name: 'weather', colour: 'red' }, '(request)'],
  ],
  'targets.createSequence': [
    [{ alphabet: 'abc', maxLength: 3 }, 'name'],
    [{ name: 'line', maxLength: 3 }, 'alphabet'],
    [{ name: 'line', alphabet: '', maxLength: 3 }, 'alphabet'],
    [{ name: 'line', alphabet: 'abc' }, 'maxLength'],
    [{ name: 'line', alphabet: 'abc', maxLength: 0 }, 'maxLength'],
    [{ name: 'line', alphabet: 'abc', maxLength: 65 }, 'maxLength'],
    [{ name: 'line', alphabet: 'abc', maxLength: 3, lengthName: 'a/b' }, 'lengthName'],
  ],
  'targets.rename': [
    [{ name: 'x' }, 'targetId'],
    [{ targetId: 3 }, 'name'],
    [{ targetId: 3, name: '' }, 'name'],
  ],
  'targets.remove': [
    [{}, 'targetId'],
    [{ targetId: 3, force: 'yes' }, 'force'],
  ],
  'targets.addClass': [
    [{ name: 'x' }, 'targetId'],
    [{ targetId: '3', name: 'x' }, 'targetId'],
    [{ targetId: 3.5, name: 'x' }, 'targetId'],
    [{ targetId: 0, name: 'x' }, 'targetId'],
    [{ targetId: 3 }, 'name'],
  ],
  'targets.renameClass': [
    [{ targetId: 3, classId: -1, name: 'x' }, 'classId'],
    [{ targetId: 3, classId: 1 }, 'name'],
    [{ targetId: 3, classId: 1, name: 7 }, 'name'],
  ],
  'targets.mergeClass': [
    [{ targetId: 3, classId: 1 }, 'intoClassId'],
    [{ targetId: 3, classId: 'a', intoClassId: 2 }, 'classId'],
  ],
  'targets.deleteClass': [
    [{ targetId: 3 }, 'classId'],
    [{ targetId: 3, classId: 1, labels: 'drop' }, 'labels'],
  ],
  'targets.setHotkey': [
    [{ targetId: 3, hotkey: 'F1' }, 'hotkey'],
    [{ targetId: 3 }, 'hotkey'],
    [{ targetId: 3, classId: 0, hotkey: 'x' }, 'classId'],
  ],
  'images.ids': [
    [{ filter: { target: { state: 'pending' } } }, 'filter.target.targetId'],
    [{ filter: { target: { targetId: 1, source: 'robot' } } }, 'filter.target.source'],
    [{ filter: { target: { targetId: 1, maxConfidence: 2 } } }, 'filter.target.maxConfidence'],
    [{ filter: { order: 'random' } }, 'filter.order'],
  ],
  'images.list': [
    [{ offset: -1 }, 'offset'],
    [{ limit: 0 }, 'limit'],
    [{ limit: 5000 }, 'limit'],
    [{ filter: { status: 'weird' } }, 'filter.status'],
    [{ filter: 'pending' }, 'filter'],
  ],
  'images.get': [
    [{}, 'id'],
    [{ id: 'one' }, 'id'],
    [{ id: 0 }, 'id'],
    [null, 'id'],
  ],
  'annotations.set': [
    [{ imageId: 1, targetId: 1 }, 'label'],
    [{ imageId: 1, targetId: 1, label: { kind: 'unknown' }, coalesceKey: '' }, 'coalesceKey'],
    [{ imageId: 1, targetId: 1, label: { kind: 'value' } }, 'label.value'],
    [{ imageId: 1, targetId: 1, label: { kind: 'maybe' } }, 'label.kind'],
    [{ imageId: 1, targetId: 1, label: { kind: 'value', value: 5 } }, 'label.value'],
    [{ imageId: 1, targetId: 1, label: { kind: 'unknown', value: '3' } }, 'label'],
    [{ imageId: 'a', targetId: 1, label: { kind: 'unknown' } }, 'imageId'],
  ],
  'annotations.bulkSet': [
    [{ targetId: 3, label: { kind: 'unknown' } }, 'imageIds'],
    [{ imageIds: [1], filter: {}, targetId: 3, label: { kind: 'unknown' } }, 'imageIds'],
    [{ imageIds: [], targetId: 3, label: { kind: 'unknown' } }, 'imageIds'],
    [{ imageIds: [1, 'b'], targetId: 3, label: { kind: 'unknown' } }, 'imageIds.1'],
    [{ imageIds: [1], targetId: 3 }, 'label'],
  ],
  'annotations.undo': [[{ steps: 2 }, '(request)']],
  'annotations.redo': [[7, '(request)']],
  'annotations.history': [[{ all: true }, '(request)']],
  'annotations.clear': [
    [{ imageId: 1 }, 'targetId'],
    [{ imageId: null, targetId: 1 }, 'imageId'],
  ],
  'training.backend': [[{ gpu: true }, '(request)']],
  'training.runs': [[[], '(request)']],
  'training.specs': [[{ dir: '/' }, '(request)']],
  'training.start': [
    [{}, 'spec'],
    [{ spec: { name: 'x', inputs: [], trunk: { preset: 'mlp' }, heads: [] } }, 'spec.inputs'],
    [
      {
        spec: {
          name: 'x',
          inputs: [{ name: 'x', height: 14, width: 14 }],
          trunk: { preset: 'mlp' },
          heads: [{ name: 'h', target: { kind: 'position', target: 'digits', position: -1 } }],
        },
      },
      'spec.heads.0.target.position',
    ],
    [
      {
        spec: {
          name: 'x',
          inputs: [{ name: 'x', height: 14, width: 14 }],
          trunk: { preset: 'mlp' },
          heads: [{ name: 'h', target: { kind: 'target', target: 'length' } }],
        },
        backend: 'tpu',
      },
      'backend',
    ],
  ],
  'training.control': [
    [{ runId: 1, action: 'stop' }, 'action'],
    [{ action: 'pause' }, 'runId'],
  ],
  'training.resume': [[{ runId: 'one' }, 'runId']],
  'training.check': [[{ spec: {}, extra: 1 }, '(request)']],
  'training.mistakes': [[{ runId: 1, limit: 0 }, 'limit']],
  'training.metrics': [[{}, 'runId']],
  'training.evaluation': [[{ runId: 0 }, 'runId']],
  'training.cell': [
    [{ runId: 1, head: 'length', trueIndex: -1, predIndex: 0 }, 'trueIndex'],
    [{ runId: 1, trueIndex: 0, predIndex: 0 }, 'head'],
  ],
  'training.predict': [[{ runId: 1, all: 'yes' }, 'all']],
  'training.export': [
    [{ runId: 1 }, 'out'],
    [{ runId: 1, out: '' }, 'out'],
    [{ runId: 'one', out: '/tmp/x' }, 'runId'],
    [{ runId: 1, out: '/tmp/x', format: 'onnx' }, '(request)'],
  ],
  'annotations.accept': [
    [{ imageId: 1 }, 'targetId'],
    [{ imageId: 1, targetId: 2, expectedVersion: -1 }, 'expectedVersion'],
  ],
  'annotations.acceptMany': [
    [{ imageId: 1, targets: [] }, 'targets'],
    [{ imageId: 1, targets: [{ targetId: 2 }], minConfidence: 2 }, 'minConfidence'],
    [{ imageId: 1, targets: [{ targetId: 2, version: 1 }] }, 'targets.0'],
  ],
  'imports.start': [
    [{}, 'paths'],
    [{ paths: [] }, 'paths'],
    [{ paths: 'dir' }, 'paths'],
    [{ paths: [''] }, 'paths.0'],
    [{ paths: ['x'], maxPixels: -5 }, 'maxPixels'],
    [{ paths: ['x'], transcripts: 'line' }, 'transcripts'],
    [{ paths: ['x'], transcripts: { target: 'line', extendAlphabet: 'yes' } }, 'transcripts.extendAlphabet'],
  ],
  'imports.status': [
    [{}, 'jobId'],
    [{ jobId: 5 }, 'jobId'],
  ],
  'imports.list': [
    [[1], '(request)'],
    ['x', '(request)'],
  ],
  'imports.beginUpload': [
    [{ path: '/etc' }, '(request)'],
    [7, '(request)'],
  ],
  'imports.startUpload': [
    [{}, 'uploadId'],
    [{ uploadId: '../../etc' }, 'uploadId'],
    [{ uploadId: '0b5e8e0e-4d1c-4c5e-9a57-1f0f5e0a9c21', maxPixels: -1 }, 'maxPixels'],
  ],
  'exports.labels': [
    [{}, 'format'],
    [{ format: 'xlsx' }, 'format'],
    [{ format: 'csv', targetIds: [] }, 'targetIds'],
    [{ format: 'csv', limit: 5001 }, 'limit'],
    [{ format: 'csv', split: { runId: 1, part: 'holdout' } }, 'split.part'],
    [{ format: 'csv', classOf: { targetId: 3 } }, 'classOf.classId'],
  ],
  'exports.dataset': [
    [{ format: 'jsonl' }, 'out'],
    [{ out: 'x', format: 'folders' }, 'targetId'],
    [{ out: 'x', format: 'coco' }, 'format'],
  ],
  'imports.cancel': [
    [{}, 'jobId'],
    [{ jobId: '' }, 'jobId'],
  ],
};

let runtime: Runtime;
let server: RunningServer;
let token: string;
let cleanup: () => void;
const changes = () => (runtime.project.store.db.prepare('SELECT total_changes() AS n').get() as { n: number }).n;

beforeAll(async () => {
  const tmp = tempDir();
  cleanup = tmp.cleanup;
  runtime = openRuntime(path.join(tmp.dir, 'data'));
  const src = path.join(tmp.dir, 'a.png');
  await sharp({ create: { width: 8, height: 8, channels: 3, background: '#336699' } })
    .png()
    .toFile(src);
  await runImport({ store: runtime.project.store, dataDir: runtime.project.dataDir }, { paths: [src] });
  server = await startServer({ ...runtime, rendererDir: path.join(tmp.dir, 'no-renderer') });
  token = ownerToken(runtime.project.store, runtime.project.dataDir);
});
afterAll(async () => {
  await server.close();
  runtime.close();
  cleanup();
});

async function post(method: string, body: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${server.url}/api/${method}`, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...headers },
  });
  return { status: response.status, body: (await response.json()) as ApiResult<unknown> };
}

describe('API validation', () => {
  it('covers every method of the contract', () => {
    expect(Object.keys(malformed).sort()).toEqual([...methodNames].sort());
    const listed = Object.entries(serviceMethods).flatMap(([s, ms]) => ms.map((m) => `${s}.${m}`));
    expect(listed.sort()).toEqual([...methodNames].sort());
  });

  for (const [method, cases] of Object.entries(malformed)) {
    it(`${method}: malformed payloads get a structured error naming the field, and nothing is written`, async () => {
      for (const [payload, field] of cases) {
        const before = changes();
        const direct = await runtime.dispatch(method, payload);
        expect(direct.ok, JSON.stringify(payload)).toBe(false);
        if (direct.ok) continue;
        expect(direct.error.code).toBe('invalid_request');
        expect(
          direct.error.issues?.map((i) => i.path),
          JSON.stringify(payload),
        ).toContain(field);
        expect(direct.error.message).toContain(method);

        const http = await post(method, JSON.stringify(payload));
        expect(http.status).toBe(400);
        expect(http.body).toEqual(direct);
        expect(changes()).toBe(before);
      }
    });
  }

  it('valid requests naming invalid things get structured errors and write nothing', async () => {
    const { store } = runtime.project;
    const digits = store.targets.byName('digits')!;
    const font = store.targets.byName('font_style')!;
    const length = store.targets.byName('length')!;
    const cases: [string, unknown, string, string | null][] = [
      ['annotations.set', { imageId: 1, targetId: digits.id, label: { kind: 'value', value: '12x' } }, 'invalid_request', 'label.value'],
      ['annotations.set', { imageId: 1, targetId: font.id, label: { kind: 'value', value: 'gothic' } }, 'invalid_request', 'label.value'],
      ['annotations.set', { imageId: 1, targetId: length.id, label: { kind: 'value', value: '9' } }, 'invalid_request', 'label.value'],
      ['annotations.set', { imageId: 999, targetId: digits.id, label: { kind: 'unknown' } }, 'not_found', null],
      ['annotations.set', { imageId: 1, targetId: 999, label: { kind: 'unknown' } }, 'not_found', null],
      ['targets.addClass', { targetId: length.id, name: 'seven' }, 'invalid_request', 'targetId'],
      ['annotations.bulkSet', { imageIds: [1], targetId: digits.id, label: { kind: 'value', value: '1' } }, 'conflict', null],
      ['annotations.bulkSet', { imageIds: [1, 77], targetId: font.id, label: { kind: 'unknown' } }, 'not_found', null],
      ['annotations.bulkSet', { imageIds: [1], targetId: font.id, label: { kind: 'value', value: 'gothic' } }, 'invalid_request', 'label.value'],
      ['targets.mergeClass', { targetId: font.id, classId: font.classes[0]!.id, intoClassId: font.classes[0]!.id }, 'conflict', null],
      ['targets.mergeClass', { targetId: font.id, classId: font.classes[0]!.id, intoClassId: 9999 }, 'invalid_request', 'intoClassId'],
      ['targets.deleteClass', { targetId: length.id, classId: length.classes[0]!.id }, 'invalid_request', 'targetId'],
      ['targets.addClass', { targetId: font.id, name: 'serif' }, 'conflict', null],
      ['targets.createCategorical', { name: 'digits' }, 'conflict', null],
      ['targets.renameClass', { targetId: font.id, classId: 9999, name: 'x' }, 'not_found', null],
      ['images.get', { id: 12345 }, 'not_found', null],
      ['imports.status', { jobId: 'no-such-job' }, 'not_found', null],
    ];
    for (const [method, payload, code, field] of cases) {
      const before = changes();
      const http = await post(method, JSON.stringify(payload));
      expect(http.body.ok, `${method} ${JSON.stringify(payload)}`).toBe(false);
      if (http.body.ok) continue;
      expect(http.body.error.code).toBe(code);
      expect(http.status).toBe({ invalid_request: 400, not_found: 404, conflict: 409 }[code]);
      if (field) expect(http.body.error.issues?.map((i) => i.path)).toEqual([field]);
      expect(changes()).toBe(before);
    }
    expect(store.annotations.forImage(1)).toEqual([]);
  });

  it('a good request still works after all of that, in one transaction with its derived length', async () => {
    const digits = runtime.project.store.targets.byName('digits')!;
    const result = await post('annotations.set', JSON.stringify({ imageId: 1, targetId: digits.id, label: { kind: 'value', value: '4021' } }));
    expect(result).toMatchObject({ status: 200, body: { ok: true, data: { state: 'value', value: '4021', source: 'human' } } });
    const detail = await runtime.dispatch('images.get', { id: 1 });
    expect(detail.ok && (detail.data as { labels: Record<number, unknown> }).labels).toEqual({
      [digits.id]: { state: 'value', value: '4021', origin: 'typed', runId: null, confidence: null },
      [runtime.project.store.targets.byName('length')!.id]: { state: 'value', value: '4', origin: 'derived', runId: null, confidence: null },
    });
  });

  it('the server answers transport-level garbage with structured 4xx errors and keeps serving', async () => {
    expect(await post('images.get', '{not json')).toMatchObject({ status: 400, body: { ok: false, error: { code: 'invalid_request' } } });
    expect(await post('images.nothing', '{}')).toMatchObject({ status: 404, body: { ok: false, error: { code: 'unknown_method' } } });
    expect(await post('images', '{}')).toMatchObject({ status: 404, body: { ok: false, error: { code: 'unknown_method' } } });
    expect(await post('__proto__.constructor', '{}')).toMatchObject({ status: 404, body: { ok: false, error: { code: 'unknown_method' } } });
    expect(await post('images.list', 'x'.repeat(2 * 1024 * 1024))).toMatchObject({ status: 413 });
    expect(await post('images.list', '{}', { origin: 'http://evil.example' })).toMatchObject({ status: 403 });
    // fetch may not set Host; a DNS-rebinding page would reach us under its own host name.
    const rebound = await new Promise<number>((resolve, reject) => {
      const req = request(
        `${server.url}/api/images.list`,
        { method: 'POST', headers: { host: 'evil.example:80', authorization: `Bearer ${token}` } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.end('{}');
    });
    expect(rebound).toBe(421);
    const get = await fetch(`${server.url}/api/images.list`, { headers: { authorization: `Bearer ${token}` } });
    expect(get.status).toBe(405);
    const ok = await post('project.info', '');
    expect(ok).toMatchObject({ status: 200, body: { ok: true, data: { imageCount: 1 } } });
  });
});
