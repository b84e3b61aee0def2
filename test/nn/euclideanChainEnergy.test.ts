import { strict as assert } from 'assert';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/core/backend';
import { ConfigError } from '../../src/core/errors';
import { createRng } from '../../src/core/rng';
import {
  type ChainEnergySpec,
  SLINKY_ENERGY_SCALE,
  SLINKY_INPUT_SCALE,
  chainEnergyAndForce,
  chainEnergyMlpSpec,
  chainVectorField,
} from '../../src/nn/euclideanChainEnergy';
import { type MlpParams, disposeMlp, initMlp, mlpFromTensors, mlpTensors } from '../../src/nn/mlp';
import { odeint } from '../../src/nn/odeint';
import { SLINKY_PHYSICS, createSlinky } from '../../src/systems/slinky';

const base: ChainEnergySpec = {
  cycles: 6,
  etaDim: 2,
  width: 16,
  depth: 2,
  beta: 10,
  boundary: 'clamped',
  chirality: true,
  inputScale: SLINKY_INPUT_SCALE,
  energyScale: SLINKY_ENERGY_SCALE,
};
const mu = { kAxial: 90, kShear: 100, kBending: 1.2e-3 };
const eta = [
  [0.4, -0.3],
  [-0.8, 0.6],
];

/** Sampled (swung, jittered) hanging states of the simulator, one per row, with random rates. */
function sampleStates(seed: number, rows: number, cycles = base.cycles): number[][] {
  const rng = createRng(seed);
  const system = createSlinky({ cycles });
  return Array.from({ length: rows }, () => {
    const x = Array.from(system.sampleState(rng, mu));
    for (let s = 0; s < x.length; s += 6) [x[s + 3], x[s + 4], x[s + 5]] = [rng.uniformIn(-0.1, 0.1), rng.uniformIn(-0.1, 0.1), rng.uniformIn(-1, 1)];
    return x;
  });
}

/** The (x, y, α) of every cycle of a state. */
const positions = (x: number[]) => x.filter((_, k) => k % 6 < 3);

function evaluate(s: ChainEnergySpec, net: MlpParams, q: number[][], etaRows: number[][]) {
  return tf.tidy(() => {
    const r = chainEnergyAndForce(s, net, tf.tensor2d(q), tf.tensor2d(etaRows));
    return { E: Array.from(r.energy.dataSync()), F: r.force.arraySync() as number[][] };
  });
}

/** Each cycle's (x, y, α) mapped by `pose`. */
const mapPoses = (q: number[], pose: (x: number, y: number, a: number) => number[]) =>
  Array.from({ length: q.length / 3 }, (_, i) => pose(q[3 * i], q[3 * i + 1], q[3 * i + 2])).flat();
/** The same chain listed bottom to top. */
const reversedCycles = (q: number[]) => Array.from({ length: q.length / 3 }, (_, i) => q.slice(q.length - 3 * (i + 1), q.length - 3 * i)).flat();

const maxAbs = (v: number[]) => Math.max(...v.map(Math.abs));

describe('nn/euclideanChainEnergy', () => {
  let net: MlpParams;
  before(async () => {
    await initBackend();
    net = initMlp(chainEnergyMlpSpec(base), createRng(11));
  });
  after(() => disposeMlp(net));

  it("has the authors' link network Linear(3+dη→w), depth×[Linear, Softplus(β)], Linear(w→1, no bias) and rejects bad specs by name", () => {
    const spec = chainEnergyMlpSpec({ ...base, width: 32, depth: 4 });
    assert.deepEqual(spec.sizes, [5, 32, 32, 32, 32, 32, 1]);
    assert.deepEqual(spec.activations.map((a) => a.kind), ['identity', 'softplus', 'softplus', 'softplus', 'softplus', 'identity']);
    assert.deepEqual(spec.biases, [true, true, true, true, true, false]);
    const bad: [Partial<ChainEnergySpec>, RegExp][] = [
      [{ cycles: 1 }, /^cycles must be an integer ≥ 2, got 1/],
      [{ etaDim: 0 }, /^etaDim must be/],
      [{ boundary: 'pinned' as 'free' }, /^boundary must be one of clamped, free, got 'pinned'/],
      [{ inputScale: [1e2, -1, 10] }, /^inputScale must be three finite numbers > 0/],
      [{ energyScale: 0 }, /^energyScale must be/],
      [{ beta: 0 }, /^beta must be > 0/],
    ];
    for (const [change, message] of bad) {
      assert.throws(() => chainEnergyMlpSpec({ ...base, ...change }), (e: Error) => e instanceof ConfigError && message.test(e.message), JSON.stringify(change));
    }
  });

  it('gives the force −∂E/∂q: central finite differences of the energy, and autodiff of it', () => {
    const states = sampleStates(1, 2);
    const q = states.map(positions);
    const { F } = evaluate(base, net, q, eta);
    // One batch: rows 2(r·3N + k) and the next, state r ± a step along coordinate k; the step is 1e-2 in network-input
    // units (0.1 mm, 1 mrad), where float32 rounding and curvature errors are both ~1e-3 of the force.
    const n3 = 3 * base.cycles;
    const step = (k: number) => 1e-2 / (k % 3 === 2 ? base.inputScale[2] : base.inputScale[0]);
    const shifted: number[][] = [];
    const shiftedEta: number[][] = [];
    q.forEach((row, r) => {
      for (let k = 0; k < n3; k++) {
        for (const sign of [1, -1]) {
          shifted.push(row.map((v, j) => (j === k ? v + sign * step(k) : v)));
          shiftedEta.push(eta[r]);
        }
      }
    });
    const { E } = evaluate(base, net, shifted, shiftedEta);
    q.forEach((_, r) => {
      const scale = maxAbs(F[r].filter((_, k) => k % 3 < 2)) || 1;
      const torqueScale = maxAbs(F[r].filter((_, k) => k % 3 === 2)) || 1;
      for (let k = 0; k < n3; k++) {
        const i = 2 * (r * n3 + k);
        const fd = -(E[i] - E[i + 1]) / (2 * step(k));
        const error = Math.abs(fd - F[r][k]) / (k % 3 === 2 ? torqueScale : scale);
        assert.ok(error < 2e-2, `row ${r} coordinate ${k}: force ${F[r][k]} vs −dE/dq ${fd}`);
      }
    });
    const autodiff = tf.tidy(() => {
      const etaT = tf.tensor2d(eta);
      const g = tf.grad((qq: tf.Tensor) => tf.sum(chainEnergyAndForce(base, net, qq as tf.Tensor2D, etaT).energy))(tf.tensor2d(q));
      return tf.neg(g).arraySync() as number[][];
    });
    autodiff.forEach((row, r) => {
      const scale = maxAbs(F[r]);
      row.forEach((v, k) => assert.ok(Math.abs(v - F[r][k]) < 1e-4 * scale, `row ${r} coordinate ${k}: ${F[r][k]} vs autodiff ${v}`));
    });
  });

  it('is invariant under translation and rotation (α + φ), with forces unchanged and rotated', () => {
    const q = sampleStates(2, 2).map(positions);
    const base0 = evaluate(base, net, q, eta);
    const phi = 0.8;
    const [c, s] = [Math.cos(phi), Math.sin(phi)];
    const [px, py] = [0.04, -0.03];
    const translated = evaluate(base, net, q.map((row) => mapPoses(row, (x, y, a) => [x + 0.05, y - 0.07, a])), eta);
    const rotated = evaluate(base, net, q.map((row) => mapPoses(row, (x, y, a) => [px + c * (x - px) - s * (y - py), py + s * (x - px) + c * (y - py), a + phi])), eta);
    q.forEach((_, r) => {
      const e = base0.E[r];
      const f = base0.F[r];
      const scale = maxAbs(f);
      assert.ok(Math.abs(translated.E[r] - e) < 1e-5 * Math.abs(e), `translation: ${translated.E[r]} vs ${e}`);
      assert.ok(Math.abs(rotated.E[r] - e) < 1e-5 * Math.abs(e), `rotation: ${rotated.E[r]} vs ${e}`);
      for (let i = 0; i < base.cycles; i++) {
        const [fx, fy, fa] = f.slice(3 * i, 3 * i + 3);
        const expectedRotated = [c * fx - s * fy, s * fx + c * fy, fa];
        for (let d = 0; d < 3; d++) {
          assert.ok(Math.abs(translated.F[r][3 * i + d] - f[3 * i + d]) < 1e-4 * scale, `translation, cycle ${i} dof ${d}`);
          assert.ok(Math.abs(rotated.F[r][3 * i + d] - expectedRotated[d]) < 1e-4 * scale, `rotation, cycle ${i} dof ${d}: ${rotated.F[r][3 * i + d]} vs ${expectedRotated[d]}`);
        }
      }
    });
    // a non-rigid change, a cycle lowered by 2 mm, is seen far above those tolerances
    const bent = evaluate(base, net, q.map((row) => row.map((v, k) => (k === 10 ? v - 2e-3 : v))), eta);
    assert.ok(Math.abs(bent.E[0] - base0.E[0]) > 1e-4 * Math.abs(base0.E[0]));
  });

  it('with chirality, is invariant under the x-reflection (x → −x, α → −α) and chain reversal; without it, is not', () => {
    const q = sampleStates(3, 2).map(positions);
    const reflect = (row: number[]) => mapPoses(row, (x, y, a) => [-x, y, -a]);
    const images: [string, number[][]][] = [
      ['x-reflection', q.map(reflect)],
      ['reversal', q.map(reversedCycles)],
      ['both', q.map((row) => reversedCycles(reflect(row)))],
    ];
    const direct = evaluate(base, net, q, eta);
    for (const [name, image] of images) {
      const r = evaluate(base, net, image, eta);
      direct.E.forEach((e, k) => assert.ok(Math.abs(r.E[k] - e) < 1e-5 * Math.abs(e), `${name}: ${r.E[k]} vs ${e}`));
    }
    // the forces follow: reflected (−F_x, F_y, −F_α); reversed cycle order
    const reflected = evaluate(base, net, images[0][1], eta).F;
    const reversed = evaluate(base, net, images[1][1], eta).F;
    direct.F.forEach((f, r) => {
      const scale = maxAbs(f);
      const mirrored = mapPoses(f, (fx, fy, fa) => [-fx, fy, -fa]);
      const reordered = reversedCycles(f);
      f.forEach((_, k) => {
        assert.ok(Math.abs(reflected[r][k] - mirrored[k]) < 1e-4 * scale, `reflected force ${k}`);
        assert.ok(Math.abs(reversed[r][k] - reordered[k]) < 1e-4 * scale, `reversed force ${k}`);
      });
    });
    // The same weights without the group: the symmetry is not there by accident.
    const plain = { ...base, chirality: false };
    const plainDirect = evaluate(plain, net, q, eta).E;
    for (const [name, image] of images) {
      const e = evaluate(plain, net, image, eta).E;
      const change = Math.max(...e.map((v, k) => Math.abs(v - plainDirect[k]) / Math.abs(plainDirect[k])));
      assert.ok(change > 1e-4, `${name} without chirality changes E by only ${change}`);
    }
  });

  it('has the physics layer: at rest the position rates vanish, the clamped top stays put, a = (F_x/m, F_y/m − g, F_α/J)', () => {
    const rest = sampleStates(4, 2).map((x) => x.map((v, k) => (k % 6 < 3 ? v : 0)));
    const { mass, inertia, gravity } = SLINKY_PHYSICS;
    for (const boundary of ['clamped', 'free'] as const) {
      const s = { ...base, boundary };
      const { field, F } = tf.tidy(() => {
        const etaT = tf.tensor2d(eta);
        return {
          field: chainVectorField(s, net, etaT, SLINKY_PHYSICS)(0, tf.tensor2d(rest)).arraySync() as number[][],
          F: chainEnergyAndForce(s, net, tf.tensor2d(rest.map(positions)), etaT).force.arraySync() as number[][],
        };
      });
      field.forEach((row, r) => {
        for (let i = 0; i < base.cycles; i++) {
          const rates = row.slice(6 * i, 6 * i + 3);
          const acc = row.slice(6 * i + 3, 6 * i + 6);
          assert.deepEqual(rates, [0, 0, 0], `${boundary}, row ${r}, cycle ${i}: position rates`);
          const [fx, fy, fa] = F[r].slice(3 * i, 3 * i + 3);
          const expected = boundary === 'clamped' && i === 0 ? [0, 0, 0] : [fx / mass, fy / mass - gravity, fa / inertia];
          expected.forEach((v, d) => assert.ok(Math.abs(acc[d] - v) <= 1e-6 * Math.max(1, Math.abs(v)), `${boundary}, row ${r}, cycle ${i}, dof ${d}: ${acc[d]} vs ${v}`));
          if (boundary === 'free' && i === 0) assert.ok(maxAbs(acc) > 1e-2, 'a free top accelerates');
        }
      });
    }
    // moving: the position rates are the velocities, except on the clamped top
    const moving = sampleStates(5, 2);
    const rates = tf.tidy(() => chainVectorField(base, net, tf.tensor2d(eta), SLINKY_PHYSICS)(0, tf.tensor2d(moving)).arraySync() as number[][]);
    moving.forEach((x, r) =>
      x.forEach((_, k) => {
        if (k % 6 < 3) assert.ok(Math.abs(rates[r][k] - (k < 6 ? 0 : x[k + 3])) < 1e-7, `row ${r}, entry ${k}`);
      }),
    );
  });

  it('gives rollout-loss gradients (RK4 through the field) with respect to MLP weights and η that match finite differences', () => {
    const s: ChainEnergySpec = { ...base, cycles: 4, etaDim: 1, width: 8 };
    const small = initMlp(chainEnergyMlpSpec(s), createRng(5));
    const tensors = mlpTensors(small);
    const x0 = tf.tensor2d(sampleStates(6, 2, 4));
    const ts = [0, 0.005, 0.01, 0.015, 0.02];
    // weighted squared displacement from the start (cm and 0.1 rad units), as a rollout MSE would see it
    const weights = tf.tensor1d(Array.from({ length: 24 }, (_, k) => [1e2, 1e2, 10, 1, 1, 0.1][k % 6]));
    const loss = (params: tf.Tensor[], etaT: tf.Tensor2D) => {
      const traj = odeint(chainVectorField(s, mlpFromTensors(chainEnergyMlpSpec(s), params), etaT, SLINKY_PHYSICS), x0, ts, { method: 'rk4' });
      return tf.sum(tf.square(tf.mul(tf.sub(traj, x0), weights))) as tf.Scalar;
    };
    const etaValues = [[0.3], [-0.5]];
    const etaT = tf.tensor2d(etaValues);
    const grads = tf.tidy(() => tf.grads((...ps: tf.Tensor[]) => loss(ps.slice(0, -1), ps[ps.length - 1] as tf.Tensor2D))([...tensors, etaT]).map((g) => g.arraySync()));
    const lossAt = (params: tf.Tensor[], etaRows: number[][]) => tf.tidy(() => loss(params, tf.tensor2d(etaRows)).dataSync()[0]);
    // (tensor index, flat entry): first-layer weight on ξ, on η, a hidden weight, the output weight, and η itself
    const probes: [number, number][] = [[0, 0], [0, 3 * s.width + 1], [1, 5], [3, 2], [tensors.length, 1]];
    const h = 1e-2;
    for (const [t, j] of probes) {
      const perturbed = (sign: number) => {
        if (t === tensors.length) return lossAt(tensors, etaValues.map((row, r) => (r === j ? [row[0] + sign * h] : row)));
        const values = Float32Array.from(tensors[t].dataSync());
        values[j] += sign * h;
        const swapped = tensors.map((x, k) => (k === t ? tf.tensor(values, x.shape) : x));
        const value = lossAt(swapped, etaValues);
        swapped[t].dispose();
        return value;
      };
      const fd = (perturbed(1) - perturbed(-1)) / (2 * h);
      const g = (grads[t] as number[] | number[][]).flat()[j];
      const error = Math.abs(g - fd) / Math.abs(fd);
      assert.ok(Math.abs(fd) > 1e-6, `probe ${t}:${j} should matter`);
      assert.ok(error < 2e-2, `tensor ${t}, entry ${j}: gradient ${g} vs finite difference ${fd}`);
    }
    tf.dispose([x0, weights, etaT]);
    disposeMlp(small);
  });

  it('rejects a state, positions or η of the wrong shape, naming it', () => {
    tf.tidy(() => {
      const etaT = tf.tensor2d(eta);
      const field = chainVectorField(base, net, etaT, SLINKY_PHYSICS);
      assert.throws(() => field(0, tf.zeros([2, 6 * base.cycles - 1]) as tf.Tensor2D), (e: Error) => e instanceof ConfigError && /^chain state must be \[rows, 6·cycles = 36\].*got \[2, 35\]/.test(e.message));
      assert.throws(() => field(0, tf.zeros([3, 6 * base.cycles]) as tf.Tensor2D), /chain state has 3 rows but etaRows has 2/);
      assert.throws(() => chainEnergyAndForce(base, net, tf.zeros([2, 17]) as tf.Tensor2D, etaT), /positions q must be \[rows = 2, 3·cycles = 18\], got \[2, 17\]/);
      assert.throws(() => chainVectorField(base, net, tf.zeros([2, 3]) as tf.Tensor2D, SLINKY_PHYSICS), (e: Error) => e instanceof ConfigError && /etaRows must be \[rows, etaDim = 2\], got \[2, 3\]/.test(e.message));
      const out = field(0, tf.tensor2d(sampleStates(7, 2)));
      assert.deepEqual(out.shape, [2, 36]);
    });
  });

  it('leaves no tensors behind a tidy evaluation', () => {
    const etaT = tf.tensor2d(eta);
    const x = tf.tensor2d(sampleStates(8, 2));
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      chainVectorField(base, net, etaT, SLINKY_PHYSICS)(0, x).dataSync();
      chainEnergyAndForce(base, net, tf.reshape(tf.slice(tf.reshape(x, [2, base.cycles, 6]), [0, 0, 0], [-1, -1, 3]), [2, 18]) as tf.Tensor2D, etaT).energy.dataSync();
    });
    assert.equal(tf.memory().numTensors, before);
    tf.dispose([etaT, x]);
  });
});
