import { strict as assert } from 'assert';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/core/backend';
import { ConfigError } from '../../src/core/errors';
import { createRng } from '../../src/core/rng';
import { degeneracyChecks, smallestEigenvalue } from '../../src/experiments/paperBGeneric';
import { hnnBaseSpec } from '../../src/meta/latentModulation';
import { modulationSpec, MODULATION_KINDS } from '../../src/modulation/modulation';
import type { TensorGenericParts } from '../../src/models/fieldModel';
import { type GenericLayout, frictionMatrices, frictionTimes, genericLatentModel, genericPlainModel } from '../../src/models/generic';
import { odeint } from '../../src/nn/odeint';
import { randomMatrix } from '../helpers/numeric';

const DNO: GenericLayout = { stateDim: 3, entropyVariables: 1 };
const TGC: GenericLayout = { stateDim: 4, entropyVariables: 2 };
const hidden = { width: 8, depth: 2, activation: 'tanh' as const, beta: 1 };

/** A latent GENERIC model with a hypernetwork large enough to modulate, and per-row codes. */
function latentFixture(kind: (typeof MODULATION_KINDS)[number], layout: GenericLayout, seed: number) {
  const spec = modulationSpec(hnnBaseSpec(hidden, layout.stateDim), kind, { latentDim: 3, rank: kind === 'ro' ? undefined : 2 });
  const model = genericLatentModel(spec, layout);
  const init = model.init(createRng(seed));
  const rng = createRng(seed + 1);
  // larger hypernetworks than the 0.01 init, so that the latent visibly changes Ẽ and D̃
  const tensors = model.tensors(init).map((t, i, all) => (i === all.length - 2 || t === init.energy.hyperWeight ? tf.add(t, tf.tensor(randomMatrix(rng, 1, t.size, 0.3)[0], t.shape)) : tf.clone(t)));
  tf.dispose(model.tensors(init));
  return { model, params: model.fromTensors(tensors), spec };
}

/** States of a layout: q, p ~ U[−1.5, 1.5]; TGC's q kept in (0.2, 1.8). */
function states(layout: GenericLayout, rows: number, seed: number): number[][] {
  return randomMatrix(createRng(seed), rows, layout.stateDim, 1.5).map((x) => (layout.stateDim === 4 ? [1 + 0.5 * Math.tanh(x[0]), ...x.slice(1)] : x));
}

function assertStructure(parts: (x: tf.Tensor2D) => TensorGenericParts, xs: number[][], what: string) {
  const c = degeneracyChecks(parts, xs);
  assert.equal(c.maxLgradS, 0, `${what}: L∇S̃ = 0 exactly`);
  assert.ok(c.maxMgradERelative < 1e-5, `${what}: ‖M̃∇Ẽ‖/(‖M̃‖‖∇Ẽ‖) = ${c.maxMgradERelative}`);
  assert.ok(c.minEigM >= -1e-6, `${what}: smallest eigenvalue of M̃ ${c.minEigM}`);
  assert.ok(c.maxEnergyRateRelative < 1e-5, `${what}: |dẼ/dt|/(‖∇Ẽ‖‖ẋ‖) = ${c.maxEnergyRateRelative}`);
  assert.ok(c.minEntropyRate >= -1e-6, `${what}: dS̃/dt = ${c.minEntropyRate}`);
  return c;
}

describe('models/generic (GENERIC network ẋ = L∇Ẽ + M̃∇S̃)', () => {
  before(async () => {
    await initBackend();
  });

  it('builds M̃ from the ζ tensor exactly as written: M_{αμ} = Σ ζ_{αβ,μν} ∂E_β ∂E_ν, ζ = Σ Λ^m D_{mn} Λ^n (float64 reference)', () => {
    const rng = createRng(3);
    const d = 4;
    const raw = randomMatrix(rng, d * d, d, 1); // Λ̃ as [K·d][d]
    const dTilde = randomMatrix(rng, d, d, 1);
    const gradE = randomMatrix(rng, 5, d, 1);
    const gradS = randomMatrix(rng, 5, d, 1);
    const lam = (m: number, a: number, b: number) => (raw[m * d + a][b] - raw[m * d + b][a]) / 2;
    const D = (m: number, n: number) => dTilde[m].reduce((s, v, j) => s + v * dTilde[n][j], 0);
    const head = { lambdaRaw: tf.tensor3d(raw.flat(), [d, d, d]), dTilde: tf.tensor3d(dTilde.flat(), [1, d, d]) };
    const [M, MgradS] = tf.tidy(() => [frictionMatrices(tf.tensor2d(gradE), head).arraySync() as number[][][], frictionTimes(tf.tensor2d(gradE), tf.tensor2d(gradS), head).arraySync() as number[][]]);
    gradE.forEach((g, r) => {
      for (let a = 0; a < d; a++) {
        let row = 0;
        for (let mu = 0; mu < d; mu++) {
          let ref = 0;
          for (let b = 0; b < d; b++) for (let nu = 0; nu < d; nu++) for (let m = 0; m < d; m++) for (let n = 0; n < d; n++) ref += lam(m, a, b) * D(m, n) * lam(n, mu, nu) * g[b] * g[nu];
          assert.ok(Math.abs(M[r][a][mu] - ref) < 1e-4 * (1 + Math.abs(ref)), `M[${r}][${a}][${mu}] ${M[r][a][mu]} vs ${ref}`);
          row += ref * gradS[r][mu];
        }
        assert.ok(Math.abs(MgradS[r][a] - row) < 1e-4 * (1 + Math.abs(row)), `(M∇S)[${r}][${a}] ${MgradS[r][a]} vs ${row}`);
      }
    });
    tf.dispose([head.lambdaRaw, head.dTilde]);
  });

  for (const kind of MODULATION_KINDS) {
    it(`${kind}: L skew, M̃ symmetric PSD, M̃∇Ẽ = 0 and L∇S̃ = 0 to float32 round-off, dẼ/dt = 0 and dS̃/dt ≥ 0 along the model's own trajectories (TGC layout)`, () => {
      const { model, params, spec } = latentFixture(kind, TGC, 11);
      const rows = 6;
      const latents = { codes: tf.tensor2d(randomMatrix(createRng(4), rows, spec.latentDim, 1)) };
      const x0 = states(TGC, rows, 5);
      const trajectory = tf.tidy(() => odeint(model.field(params, latents), tf.tensor2d(x0), [0, 0.1, 0.2, 0.3, 0.4, 0.5], { method: 'rk4', substeps: 2 }).arraySync() as number[][][]);
      const parts = (x: tf.Tensor2D) => {
        const many = { codes: tf.tile(latents.codes, [x.shape[0] / rows, 1]) as tf.Tensor2D };
        return model.parts!(params, many)(x);
      };
      assertStructure(parts, trajectory.flat(), kind);
      const p = tf.tidy(() => {
        const r = model.parts!(params, latents)(tf.tensor2d(x0));
        return { L: r.L.arraySync() as number[][], M: r.M.arraySync() as number[][][] };
      });
      p.L.forEach((row, i) => row.forEach((v, j) => assert.ok(v + p.L[j][i] === 0, `L[${i}][${j}]`)));
      assert.deepEqual(p.L[0], [0, 1, 0, 0]);
      p.M.forEach((M) => M.forEach((row, i) => row.forEach((v, j) => assert.ok(Math.abs(v - M[j][i]) <= 1e-6 * (1 + Math.abs(v)), 'M̃ symmetric'))));
      assert.ok(p.M.some((M) => Math.max(...M.flat().map(Math.abs)) > 1e-3), 'M̃ is not trivially zero');
      tf.dispose([...model.tensors(params), latents.codes]);
    });
  }

  it('plain model (DNO layout): the same structure along its trajectories; ANIL adapts the output weight and D̃', () => {
    const spec = hnnBaseSpec(hidden, 3);
    const model = genericPlainModel(spec, DNO);
    const theta = model.init(createRng(8));
    assert.equal(theta.length, model.tensorCount);
    assert.deepEqual(model.headIndices(), [2, model.tensorCount - 1]);
    const traj = tf.tidy(() => odeint(model.field(theta), tf.tensor2d(states(DNO, 8, 9)), [0, 0.2, 0.4, 0.6], { method: 'rk4', substeps: 2 }).arraySync() as number[][][]);
    assertStructure(model.parts!(theta), traj.flat(), "plain");
    tf.dispose(theta);
  });

  it('the checks fail when a property is broken: friction that is not degenerate, a negative eigenvalue, an entropy that depends on (q, p)', () => {
    const x = states(DNO, 4, 2);
    const base = (mutate: (p: TensorGenericParts) => TensorGenericParts) => (xs: tf.Tensor2D) => {
      const rows = xs.shape[0];
      const gradE = tf.tensor2d(randomMatrix(createRng(1), rows, 3, 1));
      const gradS = tf.tile(tf.tensor2d([[0, 0, 1]]), [rows, 1]) as tf.Tensor2D;
      const L = tf.tensor2d([[0, 1, 0], [-1, 0, 0], [0, 0, 0]]);
      const M = tf.tile(tf.expandDims(tf.eye(3), 0), [rows, 1, 1]) as tf.Tensor3D; // M = I: M∇E ≠ 0
      const xdot = tf.add(tf.matMul(gradE, L, false, true), tf.matMul(gradS, tf.eye(3))) as tf.Tensor2D;
      return mutate({ gradE, gradS, L, M, xdot });
    };
    const identity = degeneracyChecks(base((p) => p), x);
    assert.ok(identity.maxMgradERelative > 0.1 && identity.maxEnergyRateRelative > 1e-3, JSON.stringify(identity));
    const negative = degeneracyChecks(base((p) => ({ ...p, M: tf.neg(p.M) as tf.Tensor3D })), x);
    assert.ok(negative.minEigM < -0.5, `${negative.minEigM}`);
    const mechanical = degeneracyChecks(base((p) => ({ ...p, gradS: tf.add(p.gradS, tf.tensor2d([[0, 1, 0]])) as tf.Tensor2D })), x);
    assert.ok(mechanical.maxLgradS > 0.5, `${mechanical.maxLgradS}`);
    assert.ok(Math.abs(smallestEigenvalue([[2, 1], [1, 2]]) - 1) < 1e-12);
  });

  it('∇Ẽ of the parts is the input gradient of the model energy (finite differences), and the field loss has the gradients of its finite differences in Λ̃, D̃_base and Φ_D', () => {
    const { model, params, spec } = latentFixture('svd', DNO, 21);
    const rows = 5;
    const codes = randomMatrix(createRng(7), rows, spec.latentDim, 1);
    const x = states(DNO, rows, 8);
    const h = 1e-2;
    const { gradE, energies } = tf.tidy(() => {
      const latents = { codes: tf.tensor2d(codes) };
      const e = (xs: number[][]) => Array.from(model.energy(params, latents)(tf.tensor2d(xs)).dataSync());
      const shifted = (j: number, s: number) => e(x.map((r) => r.map((v, k) => (k === j ? v + s : v))));
      return { gradE: model.parts!(params, latents)(tf.tensor2d(x)).gradE.arraySync() as number[][], energies: [0, 1, 2].map((j) => [shifted(j, h), shifted(j, -h)]) };
    });
    gradE.forEach((g, r) => g.forEach((v, j) => {
      const fd = (energies[j][0][r] - energies[j][1][r]) / (2 * h);
      assert.ok(Math.abs(v - fd) < 2e-2 * (1 + Math.abs(fd)), `∂Ẽ/∂x${j} row ${r}: ${v} vs ${fd}`);
    }));
    const target = tf.tensor2d(randomMatrix(createRng(9), rows, 3, 1));
    const tensors = model.tensors(params);
    const loss = (ts: tf.Tensor[]) => tf.sum(tf.square(tf.sub(model.field(model.fromTensors(ts), { codes: tf.tensor2d(codes) })(0, tf.tensor2d(x)), target))) as tf.Scalar;
    const n = tensors.length;
    for (const index of [n - 4, n - 3, n - 2]) {
      const grad = tf.tidy(() => Array.from(tf.grads((t: tf.Tensor) => loss(tensors.map((u, i) => (i === index ? t : u))))([tensors[index]])[0].dataSync()));
      const values = Array.from(tensors[index].dataSync());
      for (const k of [0, Math.floor(values.length / 2), values.length - 1]) {
        const at = (s: number) => tf.tidy(() => {
          const v = values.slice();
          v[k] += s;
          return loss(tensors.map((u, i) => (i === index ? tf.tensor(v, u.shape) : u))).dataSync()[0];
        });
        const fd = (at(h) - at(-h)) / (2 * h);
        assert.ok(Math.abs(grad[k] - fd) < 3e-2 * (1 + Math.abs(fd)), `tensor ${index}[${k}]: ${grad[k]} vs ${fd}`);
      }
    }
    tf.dispose([...tensors, target]);
  });

  it('rejects a state without entropy variables or of the wrong size', () => {
    const spec = modulationSpec(hnnBaseSpec(hidden, 3), 'shift', { latentDim: 2 });
    assert.throws(() => genericLatentModel(spec, { stateDim: 3, entropyVariables: 0 }), ConfigError);
    assert.throws(() => genericLatentModel(spec, TGC), /3 inputs but the state has 4/);
    assert.throws(() => genericPlainModel(hnnBaseSpec(hidden, 4), { stateDim: 4, entropyVariables: 1 }), /n ≥ 1 degrees of freedom/);
  });
});
