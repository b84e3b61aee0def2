import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { checkpointStore, tensorFromJson, tensorToJson } from '../../src/core/checkpoint';
import { DataError } from '../../src/core/errors';
import { createRng } from '../../src/core/rng';

interface State {
  step: number;
  weights: number[];
}

describe('core/checkpoint', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ckpt-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('loads null before any save, then round-trips the state', () => {
    const store = checkpointStore<State>(dir, 'abc');
    assert.equal(store.load(), null);
    store.save({ step: 3, weights: [0.1, -2] });
    assert.deepEqual(store.load(), { step: 3, weights: [0.1, -2] });
    assert.deepEqual(checkpointStore<State>(dir, 'abc').load(), { step: 3, weights: [0.1, -2] }, 'a new store (resumed run) sees it');
    store.clear();
    assert.equal(store.load(), null);
    store.clear(); // clearing twice is fine
  });

  it('ignores a checkpoint written under another key, and replaces it on save', () => {
    checkpointStore<State>(dir, 'old-config').save({ step: 9, weights: [] });
    const store = checkpointStore<State>(dir, 'new-config');
    assert.equal(store.load(), null);
    store.save({ step: 1, weights: [1] });
    assert.equal(checkpointStore<State>(dir, 'old-config').load(), null);
    assert.equal(store.load()?.step, 1);
  });

  it('a checkpoint of another engine is an error naming both engines and the file; one without an engine loads', () => {
    checkpointStore<State>(dir, 'abc', 'wasm, matMul openblas 0.3.21, 1 thread').save({ step: 5, weights: [1] });
    assert.equal(checkpointStore<State>(dir, 'abc', 'wasm, matMul openblas 0.3.21, 1 thread').load()?.step, 5);
    assert.throws(
      () => checkpointStore<State>(dir, 'abc', 'wasm, matMul xnnpack').load(),
      (e: Error) => e instanceof DataError && e.message.includes('openblas 0.3.21, 1 thread') && e.message.includes('xnnpack') && e.message.includes(path.join(dir, 'checkpoint.json')),
    );
    assert.equal(checkpointStore<State>(dir, 'other-config', 'wasm, matMul xnnpack').load(), null, 'another config is ignored, whatever its engine');
    const file = path.join(dir, 'checkpoint.json');
    const legacy = JSON.parse(fs.readFileSync(file, 'utf8'));
    delete legacy.engine;
    fs.writeFileSync(file, JSON.stringify(legacy));
    assert.equal(checkpointStore<State>(dir, 'abc', 'wasm, matMul xnnpack').load()?.step, 5, 'a checkpoint from before engines were recorded');
  });

  it('refuses to save a non-finite state (the last good checkpoint stays)', () => {
    const store = checkpointStore<State>(dir, 'k');
    store.save({ step: 1, weights: [1] });
    assert.throws(() => store.save({ step: 2, weights: [NaN] }), /non-finite/);
    assert.equal(store.load()?.step, 1);
  });

  it('a corrupt or foreign file is an error naming the file, not a silent restart', () => {
    const store = checkpointStore<State>(dir, 'k');
    fs.writeFileSync(store.file, '{"format": "metadyn-checkpoint", "vers');
    assert.throws(() => store.load(), (e: unknown) => e instanceof DataError && e.message.startsWith(`${store.file}: corrupt checkpoint`));
    fs.writeFileSync(store.file, '{"hello": 1}');
    assert.throws(() => store.load(), /not a metadyn-checkpoint file/);
    fs.writeFileSync(store.file, JSON.stringify({ format: 'metadyn-checkpoint', version: 99, key: 'k', state: {} }));
    assert.throws(() => store.load(), /format version 99/);
  });

  it('a crash mid-write (leftover temporary file) does not break load', () => {
    const store = checkpointStore<State>(dir, 'k');
    fs.writeFileSync(`${store.file}.tmp-12345-1`, '{"format": "metadyn-chec'); // a crash before the rename
    assert.equal(store.load(), null);
    store.save({ step: 5, weights: [2] });
    fs.writeFileSync(`${store.file}.tmp-12345-2`, 'garbage');
    assert.equal(store.load()?.step, 5);
  });

  it('float32 tensors round-trip bit-exactly through JSON', () => {
    const rng = createRng(1);
    const values = Array.from({ length: 601 }, () => rng.normal() * 10 ** rng.int(-30, 30));
    values.push(1e-45, -3.4028234663852886e38, 0); // subnormal and extreme float32 values
    const t = tf.tensor(values, [4, 151]);
    const restored = tensorFromJson(JSON.parse(JSON.stringify(tensorToJson(t))));
    assert.deepEqual(restored.shape, [4, 151]);
    assert.equal(restored.dtype, 'float32');
    assert.deepEqual(Array.from(new Uint32Array(restored.dataSync().buffer)), Array.from(new Uint32Array(t.dataSync().buffer)));
    tf.dispose([t, restored]);
  });

  it('negative zero comes back as zero (JSON has no -0)', () => {
    const t = tf.tensor([-0]);
    const restored = tensorFromJson(JSON.parse(JSON.stringify(tensorToJson(t))));
    assert.ok(Object.is(restored.dataSync()[0], 0));
    tf.dispose([t, restored]);
  });

  it('tensorFromJson rejects inconsistent shapes and non-finite values; tensorToJson only float32', () => {
    assert.throws(() => tensorFromJson({ shape: [2, 2], values: [1, 2, 3] }), /needs 4 values, got 3/);
    assert.throws(() => tensorFromJson({ shape: [1], values: [null as unknown as number] }), /value \[0\] is null/);
    const i = tf.tensor([1, 2], [2], 'int32');
    assert.throws(() => tensorToJson(i), /float32/);
    i.dispose();
  });
});
