import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/core/backend';
import { ConfigError } from '../../src/core/errors';
import { matMulEngine } from '../../src/core/matMulEngine';
import { blasAddonPath, matMulShape, parseBlasThreads, parseMatMulChoice, useNativeMatMul } from '../../src/core/nativeMatMul';
import { createRng } from '../../src/core/rng';

/** op(A_i) · op(B_i) in float64 from nested arrays, the reference the float32 kernel is held to. */
function referenceProduct(a: number[][], b: number[][], transposeA: boolean, transposeB: boolean): number[][] {
  const A = transposeA ? a[0].map((_, j) => a.map((row) => row[j])) : a;
  const B = transposeB ? b[0].map((_, j) => b.map((row) => row[j])) : b;
  return A.map((row) => B[0].map((_, j) => row.reduce((s, v, k) => s + v * B[k][j], 0)));
}

const built = fs.existsSync(blasAddonPath());

describe('core/nativeMatMul (OpenBLAS products under the wasm backend)', () => {
  it('reads the product dimensions the way tfjs does, broadcasting a batch of one, and says why shapes do not multiply', () => {
    assert.deepEqual(matMulShape([256, 100], [100, 32], false, false), { batchA: 1, batchB: 1, m: 256, n: 32, k: 100, outShape: [256, 32] });
    assert.deepEqual(matMulShape([3, 5, 4], [4, 2], true, false), 'inner dimensions 5 and 4 of [3,5,4] and [4,2] differ');
    assert.deepEqual(matMulShape([3, 4, 5], [1, 2, 5], false, true), { batchA: 3, batchB: 1, m: 4, n: 2, k: 5, outShape: [3, 4, 2] });
    assert.deepEqual(matMulShape([2, 1, 4, 5], [3, 5, 6], false, false), 'batch shapes [2,1] and [3] broadcast over more than one side');
    assert.match(matMulShape([2, 4, 5], [3, 5, 6], false, false) as string, /Operands could not be broadcast/);
    assert.match(matMulShape([4], [4, 2], false, false) as string, /rank ≥ 2/);
  });

  it('parses METADYN_MATMUL and METADYN_BLAS_THREADS, rejecting anything else by name', () => {
    assert.equal(parseMatMulChoice(undefined), 'auto');
    assert.equal(parseMatMulChoice('xnnpack'), 'xnnpack');
    assert.throws(() => parseMatMulChoice('mkl'), (e: Error) => e instanceof ConfigError && /METADYN_MATMUL must be openblas or xnnpack/.test(e.message));
    assert.equal(parseBlasThreads(''), 1);
    assert.equal(parseBlasThreads('2'), 2);
    assert.throws(() => parseBlasThreads('0'), /METADYN_BLAS_THREADS must be a positive integer, got '0'/);
  });

  it('without the addon: auto keeps XNNPACK and says why, openblas fails loudly', () => {
    const missing = () => ({ addon: null, reason: 'native/blas/build/Release/metadyn_blas.node is not built' });
    const before = matMulEngine();
    assert.deepEqual(useNativeMatMul('auto', 1, missing), { engine: before, note: 'native/blas/build/Release/metadyn_blas.node is not built' });
    assert.throws(() => useNativeMatMul('openblas', 1, missing), /METADYN_MATMUL=openblas, but .* is not built/);
  });

  (built ? describe : describe.skip)('with the addon built (npm run setup)', () => {
    before(async () => {
      assert.equal(await initBackend('wasm'), 'wasm');
      useNativeMatMul('openblas', 1);
    });
    after(async () => {
      await initBackend('cpu');
    });

    it('names OpenBLAS as the engine', () => {
      assert.match(matMulEngine(), /^openblas \d+\.\d+\.\d+, 1 thread$/);
    });

    it('agrees with a float64 product to float32 round-off for every transpose, batched and broadcast, leaving no tensor behind', () => {
      const rng = createRng(7);
      const rand = (shape: number[]) => tf.tensor(Array.from({ length: shape.reduce((p, d) => p * d, 1) }, () => rng.uniformIn(-1, 1)), shape);
      const start = tf.memory().numTensors;
      for (const [ta, tb] of [[false, false], [true, false], [false, true], [true, true]] as const) {
        for (const [batchA, batchB] of [[0, 0], [3, 3], [3, 1], [1, 3]]) {
          const [m, n, k] = [37, 19, 53];
          const a = rand([...(batchA ? [batchA] : []), ...(ta ? [k, m] : [m, k])]);
          const b = rand([...(batchB ? [batchB] : []), ...(tb ? [n, k] : [k, n])]);
          const c = tf.matMul(a, b, ta, tb);
          const batch = Math.max(batchA, batchB, 1);
          const [A, B, C] = [a, b, c].map((t) => (t.rank === 2 ? [t.arraySync()] : t.arraySync()) as number[][][]);
          for (let i = 0; i < batch; i++) {
            const expected = referenceProduct(A[batchA > 1 ? i : 0], B[batchB > 1 ? i : 0], ta, tb);
            const worst = Math.max(...expected.flatMap((row, r) => row.map((v, j) => Math.abs(C[batchA || batchB ? i : 0][r][j] - v))));
            assert.ok(worst < 1e-5 * Math.sqrt(k), `transposeA ${ta}, transposeB ${tb}, batches ${batchA}/${batchB}: worst error ${worst}`);
          }
          tf.dispose([a, b, c]);
        }
      }
      assert.equal(tf.memory().numTensors, start);
    });

    it('gradients through the native product equal the analytic ones: d/dA Σ(A·B) = 1·Bᵀ, d/dB = Aᵀ·1', () => {
      const a = tf.tensor2d([[1, 2, 3], [4, 5, 6]]);
      const b = tf.tensor2d([[1, -1], [0.5, 2], [-3, 1]]);
      const [ga, gb] = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.matMul(x as tf.Tensor2D, y as tf.Tensor2D)))([a, b]);
      assert.deepEqual(ga.arraySync(), [[0, 2.5, -2], [0, 2.5, -2]]);
      assert.deepEqual(gb.arraySync(), [[5, 5], [7, 7], [9, 9]]);
      tf.dispose([a, b, ga, gb]);
    });

    it('stays right when its own output allocation grows the wasm memory (the heap view is read after it)', function () {
      this.timeout(60000);
      const heap = () => (tf.backend() as unknown as { wasm: { HEAPF32: Float32Array } }).wasm.HEAPF32.buffer.byteLength;
      const before = heap();
      // an output of 1024 × n floats larger than the whole heap now: makeOutput must grow the memory
      const n = Math.ceil((before / 4 + (1 << 20)) / 1024);
      const a = tf.ones([1024, 1]);
      const b = tf.range(0, n).reshape([1, n]);
      const c = tf.matMul(a, b);
      assert.ok(heap() > before, 'the memory grew');
      const last = c.slice([1023, n - 3], [1, 3]);
      assert.deepEqual(Array.from(last.dataSync()), [n - 3, n - 2, n - 1]);
      tf.dispose([a, b, c, last]);
    });
  });
});
