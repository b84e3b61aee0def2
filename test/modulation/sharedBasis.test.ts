import { strict as assert } from 'assert';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/core/backend';
import { createRng } from '../../src/core/rng';
import {
  type ModulatedMlpParams,
  disposeModulatedMlp,
  modulatedMlpFromTensors,
  modulatedMlpTensors,
  orthogonalityPenalty,
  sparsityPenalty,
  taskModulations,
} from '../../src/modulation/modulatedMlp';
import type { ModulationSpec } from '../../src/modulation/modulation';
import { modulatedFixture } from '../helpers/modulation';
import { assertGradientMatchesCentralDifferences, randomMatrix } from '../helpers/numeric';

function penalty(spec: ModulationSpec, params: ModulatedMlpParams): number {
  return tf.tidy(() => orthogonalityPenalty(spec, params).dataSync()[0]);
}

/** The same parameters with every shared basis multiplied by `factor`. */
function scaledBases(spec: ModulationSpec, params: ModulatedMlpParams, factor: number): ModulatedMlpParams {
  const shared = params.shared.flat().length;
  const tensors = modulatedMlpTensors(params);
  return modulatedMlpFromTensors(spec, tensors.map((t, i) => (i >= tensors.length - shared ? tf.mul(t, factor) : t)));
}

describe('modulation/sharedBasis (svd, mr-v1)', () => {
  before(async () => {
    await initBackend();
  });

  it('svd singular values are ≥ 0 for any parameters and codes (ReLU), some exactly 0 and some > 0; mr-v1 coefficients are signed', () => {
    for (let seed = 0; seed < 5; seed++) {
      for (const kind of ['svd', 'mr-v1'] as const) {
        const { spec, params } = modulatedFixture(kind, seed, { hyperScale: 3, rank: 3 });
        const values = tf.tidy(() =>
          taskModulations(spec, params, tf.tensor2d(randomMatrix(createRng(seed + 50), 20, spec.latentDim, 2))).flatMap((m) => Array.from((m.weights as tf.Tensor2D[])[0].dataSync())),
        );
        if (kind === 'svd') {
          assert.ok(values.every((d) => d >= 0), `seed ${seed}: min singular value ${Math.min(...values)}`);
          assert.ok(values.some((d) => d === 0) && values.some((d) => d > 0), `seed ${seed}: ReLU should be active on some values only`);
        } else {
          assert.ok(values.some((c) => c < 0), 'v1 multi-rank coefficients are signed');
        }
        disposeModulatedMlp(params);
      }
    }
  });

  it('the orthogonality penalty is 0 for orthonormal bases (the initialisation, also when r > in) and min(n, r)·(a² − 1)² per n × r basis scaled by a', () => {
    // Layers 2 → 5 → 5 with r = 3: V of the first layer is 2 × 3 (r > in) and uses BBᵀ, the others BᵀB.
    const { spec, params } = modulatedFixture('svd', 1, { rank: 3 });
    assert.ok(penalty(spec, params) < 1e-10, `orthonormal: ${penalty(spec, params)}`);
    const a = 1.1;
    const scaled = scaledBases(spec, params, a);
    const ranks = params.shared.flat().map((b) => Math.min(...b.shape));
    const expected = ranks.reduce((s, k) => s + k * (a * a - 1) ** 2, 0);
    assert.ok(Math.abs(penalty(spec, scaled) - expected) < 1e-5 * expected, `scaled by ${a}: ${penalty(spec, scaled)} vs ${expected}`);
    tf.dispose(scaled.shared.flat());
    const other = modulatedFixture('mr', 1);
    assert.equal(penalty(other.spec, other.params), 0);
    disposeModulatedMlp(other.params);
    disposeModulatedMlp(params);
  });

  it('the orthogonality penalty gradient w.r.t. non-orthonormal bases matches central differences', () => {
    const { spec, params } = modulatedFixture('mr-v1', 2, { rank: 3 });
    const bases = params.shared.flat().map((b, i) => tf.add(b, tf.tensor2d(randomMatrix(createRng(i), b.shape[0], b.shape[1], 0.3))) as tf.Tensor2D);
    const loss = (ps: readonly tf.Tensor[]) => orthogonalityPenalty(spec, { ...params, shared: [ps.slice(0, 2), ps.slice(2, 4)] as tf.Tensor2D[][] });
    assertGradientMatchesCentralDifferences(loss, bases, [0, 1, 2, 3], 1e-3, { relative: 2e-2, absolute: 1e-4 });
    tf.dispose(bases);
    disposeModulatedMlp(params);
  });

  it('the sparsity penalty is the mean over tasks of Σ_ℓ ‖c_ℓ‖₁ for mr-v1 and 0 for svd', () => {
    const { spec, params } = modulatedFixture('mr-v1', 3);
    const codes = randomMatrix(createRng(4), 6, spec.latentDim, 1);
    const [value, expected] = tf.tidy(() => {
      const z = tf.tensor2d(codes);
      const l1 = taskModulations(spec, params, z).reduce((s, m) => s + tf.sum(tf.abs((m.weights as tf.Tensor2D[])[0])).dataSync()[0], 0);
      return [sparsityPenalty(spec, params, z).dataSync()[0], l1 / codes.length];
    });
    assert.ok(Math.abs(value - expected) < 1e-5 * expected, `${value} vs ${expected}`);
    const svd = modulatedFixture('svd', 3);
    assert.equal(tf.tidy(() => sparsityPenalty(svd.spec, svd.params, tf.tensor2d(codes)).dataSync()[0]), 0);
    disposeModulatedMlp(svd.params);
    disposeModulatedMlp(params);
  });
});
