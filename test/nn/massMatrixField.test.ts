import { strict as assert } from 'assert';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/core/backend';
import { ConfigError } from '../../src/core/errors';
import { createRng } from '../../src/core/rng';
import { type MassMatrixFieldSpec, massMatrix, massMatrixEnergy, massMatrixFieldParamsInit, massMatrixMlpSpecs, massMatrixVectorField } from '../../src/nn/massMatrixField';
import { mlpApply, mlpFromTensors } from '../../src/nn/mlp';
import { odeint } from '../../src/nn/odeint';
import { assertGradientMatchesCentralDifferences, randomMatrix, randomRolloutLoss } from '../helpers/numeric';

const base: MassMatrixFieldSpec = { positionDim: 2, etaDim: 2, width: 16, depth: 2, activation: 'tanh', beta: 1, oddInState: true, massFloor: 0.05, forceModel: 'general' };

function massAt(s: MassMatrixFieldSpec, params: readonly tf.Tensor[], q: number[][], eta: number[][]): number[][][] {
  return tf.tidy(() => massMatrix(s, params, tf.tensor2d(q), tf.tensor2d(eta)).arraySync() as number[][][]);
}

function fieldAt(s: MassMatrixFieldSpec, params: readonly tf.Tensor[], x: number[][], eta: number[][]): number[][] {
  return tf.tidy(() => massMatrixVectorField(s, params, tf.tensor2d(eta))(0, tf.tensor2d(x)).arraySync() as number[][]);
}

/** Smallest eigenvalue of a symmetric 2×2 matrix, in float64. */
function smallestEigenvalue([[a, b], [, c]]: number[][]): number {
  return (a + c) / 2 - Math.hypot((a - c) / 2, b);
}

/** Rows of the network's raw outputs on the given inputs (float32 tensors, read back). */
function netOutputs(spec: ReturnType<typeof massMatrixMlpSpecs>['mass'], tensors: readonly tf.Tensor[], inputs: number[][]): number[][] {
  return tf.tidy(() => mlpApply(spec, mlpFromTensors(spec, tensors), tf.tensor2d(inputs)).arraySync() as number[][]);
}

/** Solves A y = b (2×2) by Gaussian elimination with partial pivoting, in float64. */
function solve2(A: number[][], b: number[]): number[] {
  const [r0, r1] = Math.abs(A[0][0]) >= Math.abs(A[1][0]) ? [0, 1] : [1, 0];
  const factor = A[r1][0] / A[r0][0];
  const y1 = (b[r1] - factor * b[r0]) / (A[r1][1] - factor * A[r0][1]);
  return [(b[r0] - A[r0][1] * y1) / A[r0][0], y1];
}

const softplus = (z: number) => Math.log1p(Math.exp(z));

describe('nn/massMatrixField', () => {
  before(async () => {
    await initBackend();
  });

  it('has a mass network on (cos Δ, η) → 3 entries of L and a force network on (sin θ, cos θ, ω, η) → Q', () => {
    const specs = massMatrixMlpSpecs({ ...base, width: 32, depth: 3 });
    assert.deepEqual(specs.mass.sizes, [1 + 2, 32, 32, 32, 3]);
    assert.deepEqual(specs.force.sizes, [6 + 2, 32, 32, 32, 2]);
    const params = massMatrixFieldParamsInit({ ...base, width: 32, depth: 3 }, createRng(1));
    assert.deepEqual(params.slice(0, 4).map((t) => t.shape), [[3, 32], [32, 32], [32, 32], [32, 3]]);
    assert.deepEqual(params[8].shape, [8, 32]);
    assert.equal(params.length, 16);
    tf.dispose(params);
  });

  it('M is symmetric with smallest eigenvalue ≥ massFloor for random weights and states, and when L vanishes', () => {
    const rng = createRng(2);
    let smallest = Infinity;
    for (let seed = 0; seed < 4; seed++) {
      const params = massMatrixFieldParamsInit({ ...base, activation: seed % 2 ? 'softplus' : 'tanh' }, createRng(10 + seed));
      // Scaled-up weights push the raw outputs far from zero, where a missing floor or sign would show.
      const scaled = params.map((t) => tf.mul(t, 4));
      for (const M of massAt(base, scaled, randomMatrix(rng, 50, 2, 3), randomMatrix(rng, 50, 2, 2))) {
        assert.equal(M[0][1], M[1][0]);
        smallest = Math.min(smallest, smallestEigenvalue(M));
      }
      tf.dispose([...params, ...scaled]);
    }
    assert.ok(smallest >= base.massFloor - 1e-6, `smallest eigenvalue ${smallest}`);
    // Output layer zero with biases (−30, 0, −30): L ≈ 0, so M = εI exactly at the floor.
    const params = massMatrixFieldParamsInit(base, createRng(3));
    const vanishing = params.slice();
    vanishing[2] = tf.zerosLike(params[2]);
    vanishing[5] = tf.tensor1d([-30, 0, -30]);
    const [M] = massAt(base, vanishing, [[0.3, -1]], [[0.5, 0.5]]);
    assert.ok(Math.abs(smallestEigenvalue(M) - base.massFloor) < 1e-6 && smallestEigenvalue(M) >= base.massFloor - 1e-6, `M = ${JSON.stringify(M)}`);
    tf.dispose([...params, vanishing[2], vanishing[5]]);
  });

  it('M depends on θ only through θ1 − θ2 (M(θ + c) = M(θ)) and is even, M(−θ) = M(θ)', () => {
    const rng = createRng(4);
    const params = massMatrixFieldParamsInit(base, createRng(5));
    const q = randomMatrix(rng, 20, 2, 1.5);
    const eta = randomMatrix(rng, 20, 2, 1);
    const M = massAt(base, params, q, eta);
    let worst = 0;
    for (const shifted of [q.map(([a, b]) => [a + 0.7, b + 0.7]), q.map(([a, b]) => [a - 2, b - 2]), q.map(([a, b]) => [-a, -b])]) {
      massAt(base, params, shifted, eta).forEach((Ms, r) => Ms.forEach((row, i) => row.forEach((v, j) => (worst = Math.max(worst, Math.abs(v - M[r][i][j]))))));
    }
    assert.ok(worst < 1e-5, `M changes by ${worst}`);
    // …while it does depend on the difference.
    const other = massAt(base, params, q.map(([a, b]) => [a + 0.5, b]), eta);
    assert.ok(Math.abs(other[0][0][1] - M[0][0][1]) > 1e-4, 'M should change with θ1 − θ2');
    tf.dispose(params);
  });

  for (const oddInState of [true, false]) {
    it(`the field is (ω, M⁻¹Q), recomputed in float64 from the same network outputs (oddInState ${oddInState})`, () => {
      const s = { ...base, oddInState, activation: 'softplus' as const, beta: 2 };
      const rng = createRng(6);
      const params = massMatrixFieldParamsInit(s, createRng(7));
      const specs = massMatrixMlpSpecs(s);
      const massTensors = params.slice(0, 6);
      const forceTensors = params.slice(6);
      const x = randomMatrix(rng, 16, 4, 2);
      const eta = randomMatrix(rng, 16, 2, 1);
      const field = fieldAt(s, params, x, eta);
      const o = netOutputs(specs.mass, massTensors, x.map(([a, b], r) => [Math.cos(a - b), ...eta[r]]));
      const features = (sign: number) => x.map(([a, b, w1, w2], r) => [sign * Math.sin(a), sign * Math.sin(b), Math.cos(a), Math.cos(b), sign * w1, sign * w2, ...eta[r]]);
      const direct = netOutputs(specs.force, forceTensors, features(1));
      const reflected = oddInState ? netOutputs(specs.force, forceTensors, features(-1)) : null;
      const M32 = massAt(s, params, x.map((r) => r.slice(0, 2)), eta);
      let worstField = 0;
      let worstMass = 0;
      x.forEach((state, r) => {
        const [l11, l21, l22] = [softplus(o[r][0]), o[r][1], softplus(o[r][2])];
        const M = [
          [l11 * l11 + s.massFloor, l11 * l21],
          [l11 * l21, l21 * l21 + l22 * l22 + s.massFloor],
        ];
        const Q = reflected ? direct[r].map((d, j) => 0.5 * (d - reflected[r][j])) : direct[r];
        const expected = [state[2], state[3], ...solve2(M, Q)];
        const scale = Math.max(...expected.map(Math.abs));
        expected.forEach((e, j) => (worstField = Math.max(worstField, Math.abs(field[r][j] - e) / scale)));
        M.forEach((row, i) => row.forEach((m, j) => (worstMass = Math.max(worstMass, Math.abs(M32[r][i][j] - m) / Math.abs(m)))));
      });
      console.log(`      float64 check: field ${worstField.toExponential(2)}, M ${worstMass.toExponential(2)} (max relative)`);
      assert.ok(worstField < 1e-5, `field differs from M⁻¹Q by ${worstField} (relative)`);
      assert.ok(worstMass < 1e-5, `massMatrix differs from L Lᵀ + εI by ${worstMass} (relative)`);
      tf.dispose(params);
    });
  }

  it('oddInState makes the field odd, f(−θ, −ω) = −f(θ, ω), for random weights; without it the identity fails', () => {
    const rng = createRng(8);
    const x = randomMatrix(rng, 10, 4, 1.5);
    const minusX = x.map((r) => r.map((v) => -v));
    const eta = randomMatrix(rng, 10, 2, 1);
    for (const oddInState of [true, false]) {
      const s = { ...base, oddInState };
      const params = massMatrixFieldParamsInit(s, createRng(9));
      const a = fieldAt(s, params, x, eta);
      const b = fieldAt(s, params, minusX, eta);
      const worst = Math.max(...a.flatMap((row, r) => row.map((v, j) => Math.abs(v + b[r][j]))));
      if (oddInState) assert.ok(worst < 1e-5, `odd field: |f(x) + f(−x)| up to ${worst}`);
      else assert.ok(worst > 1e-2, `an unsymmetrised network should not be odd by accident (|f(x) + f(−x)| ≤ ${worst})`);
      tf.dispose(params);
    }
  });

  for (const activation of ['tanh', 'softplus'] as const) {
    it(`the gradient of an RK4 rollout loss matches central finite differences (${activation})`, () => {
      const s: MassMatrixFieldSpec = { ...base, activation, beta: 2 };
      const rng = createRng(10);
      const params = massMatrixFieldParamsInit(s, rng);
      const rollout = randomRolloutLoss(rng, 4, 2, (ps, eta) => massMatrixVectorField(s, ps, eta));
      // Mass network W_1, W_3 (output) and b_3, force network W_1 and W_3, each at its largest gradient entry.
      // 3e-5 absolute: the float32 resolution of the central difference, one ulp of L ≈ 2 (2.4e-7) over 2h is 1.2e-5.
      const worst = assertGradientMatchesCentralDifferences(rollout.loss, params, [0, 2, 5, 6, 8], 1e-2, { relative: 2e-2, absolute: 3e-5 });
      console.log(`      rollout gradient vs finite differences (${activation}): worst relative error ${worst.toExponential(2)}`);
      tf.dispose(params);
      rollout.dispose();
    });
  }

  for (const etaConditioning of ['input', 'outputWeights'] as const) describe(`forceModel 'lagrangian', etaConditioning '${etaConditioning}'`, () => {
    const lagrangian: MassMatrixFieldSpec = { ...base, forceModel: 'lagrangian', etaConditioning };

    if (etaConditioning === 'input') {
      it('has a potential network on (cos θ₁, cos θ₂, sin θ₁ sin θ₂, η) → V', () => {
        const specs = massMatrixMlpSpecs(lagrangian);
        assert.deepEqual(specs.force.sizes, [3 + 2, 16, 16, 1]);
        assert.deepEqual(specs.force.biases, [true, true, false], 'no output bias: a constant in V moves nothing');
        assert.deepEqual(specs.mass.sizes, [1 + 2, 16, 16, 3]);
        assert.equal(specs.readouts, null);
      });
    } else {
      it('has hidden layers on the configuration alone and readout networks of η: (W, b) for the mass network, w for V', () => {
        const specs = massMatrixMlpSpecs(lagrangian);
        assert.deepEqual(specs.mass.sizes, [1, 16, 16]);
        assert.deepEqual(specs.force.sizes, [3, 16, 16]);
        assert.deepEqual(specs.readouts?.mass.sizes, [2, 16, 16, 3 * 17]);
        assert.deepEqual(specs.readouts?.potential.sizes, [2, 16, 16, 16]);
        assert.throws(() => massMatrixMlpSpecs({ ...base, etaConditioning }), (e: Error) => e instanceof ConfigError && /needs forceModel 'lagrangian'/.test(e.message));
        assert.throws(() => massMatrixMlpSpecs({ ...lagrangian, etaConditioning: 'film' as 'input' }), (e: Error) => e instanceof ConfigError && /etaConditioning must be 'input' or 'outputWeights', got 'film'/.test(e.message));
      });

      it('η enters only through the readouts: with readouts that ignore η, two η give the same field', () => {
        // Zero weights and a constant bias in the readouts' last layers make every η read out the same (W, b) and w:
        // the field must then ignore η, which an η fed to the hidden layers would not.
        const specs = massMatrixMlpSpecs(lagrangian);
        const params = massMatrixFieldParamsInit(lagrangian, createRng(27));
        const count = (spec: { biases: boolean[] }) => spec.biases.length + spec.biases.filter(Boolean).length;
        const readoutStart = count(specs.mass) + count(specs.force);
        const depth = 3;
        const lastLayer = (offset: number) => [offset + depth - 1, offset + 2 * depth - 1];
        const [massLast, potentialLast] = [lastLayer(readoutStart), lastLayer(readoutStart + 2 * depth)];
        const zeroed = new Set([massLast[0], potentialLast[0]]);
        const replaced = new Set([...massLast, ...potentialLast]);
        const constantReadout = params.map((p, i) => (zeroed.has(i) ? tf.zerosLike(p) : replaced.has(i) ? tf.fill(p.shape, 0.3) : p));
        const x = randomMatrix(createRng(28), 3, 4, 1);
        const a = fieldAt(lagrangian, constantReadout, x, [[0.1, -0.4], [0.2, 0.3], [-1, 1]]);
        const b = fieldAt(lagrangian, constantReadout, x, [[2, 0.5], [-0.7, 0], [0.4, -0.9]]);
        a.forEach((row, r) => row.forEach((v, j) => assert.ok(Math.abs(v - b[r][j]) < 1e-6, `row ${r}, ${j}: ${v} vs ${b[r][j]}`)));
        const c = fieldAt(lagrangian, params, x, [[2, 0.5], [-0.7, 0], [0.4, -0.9]]);
        assert.ok(c.some((row, r) => row.some((v, j) => Math.abs(v - b[r][j]) > 1e-3)), 'with trained readouts η must matter');
        tf.dispose([...params, ...constantReadout.filter((_, i) => replaced.has(i))]);
      });
    }

    for (const activation of ['tanh', 'softplus'] as const) {
      it(`conserves its energy ½ωᵀMω + V along its own flow for random weights, while kinetic and potential energy trade (${activation})`, () => {
        const s: MassMatrixFieldSpec = { ...lagrangian, activation, beta: 2 };
        const params = massMatrixFieldParamsInit(s, createRng(20));
        const rows = 6;
        const x0 = randomMatrix(createRng(21), rows, 4, 1.5);
        const etaValues = randomMatrix(createRng(22), rows, 2, 1);
        // Classical RK4 (odeint) at h = 2e-3 over 2 time units, sampled every 0.2: its energy error is O(h⁴), far below
        // float32 round-off, so what remains is the field's own conservation; a wrong sign in the Coriolis terms or in
        // M' drifts at O(1).
        const { drift, kineticSwing } = tf.tidy(() => {
          const eta = tf.tensor2d(etaValues);
          const ts = Array.from({ length: 11 }, (_, i) => 0.2 * i);
          const path = odeint(massMatrixVectorField(s, params, eta), tf.tensor2d(x0), ts, { method: 'rk4', substeps: 100 });
          const energy = (x: tf.Tensor2D) => (massMatrixEnergy(s, params, x, eta).arraySync() as number[][]).map((e) => e[0]);
          const kinetic = (x: tf.Tensor2D) => {
            const resting = energy(tf.concat([tf.slice(x, [0, 0], [-1, 2]), tf.zeros([rows, 2])], 1) as tf.Tensor2D);
            return energy(x).map((e, r) => e - resting[r]);
          };
          const states = tf.unstack(path) as tf.Tensor2D[];
          const [e0, k0] = [energy(states[0]), kinetic(states[0])];
          let worstDrift = 0;
          let worstSwing = 0;
          for (const x of states.slice(1)) {
            const [e, k] = [energy(x), kinetic(x)];
            e.forEach((v, r) => {
              const scale = Math.max(1, Math.abs(e0[r]));
              worstDrift = Math.max(worstDrift, Math.abs(v - e0[r]) / scale);
              worstSwing = Math.max(worstSwing, Math.abs(k[r] - k0[r]) / scale);
            });
          }
          return { drift: worstDrift, kineticSwing: worstSwing };
        });
        console.log(`      relative energy drift ${drift.toExponential(2)}, kinetic energy swing ${kineticSwing.toExponential(2)}`);
        assert.ok(kineticSwing > 1e-2, `the test needs motion that exchanges energy (kinetic swing ${kineticSwing})`);
        assert.ok(drift < 1e-4, `energy drift ${drift}`);
        tf.dispose(params);
      });
    }

    it('is odd in the state, f(−θ, −ω) = −f(θ, ω), without averaging, and its energy is even', () => {
      const rng = createRng(23);
      const x = randomMatrix(rng, 10, 4, 1.5);
      const eta = randomMatrix(rng, 10, 2, 1);
      const params = massMatrixFieldParamsInit(lagrangian, createRng(24));
      const a = fieldAt(lagrangian, params, x, eta);
      const b = fieldAt(lagrangian, params, x.map((r) => r.map((v) => -v)), eta);
      const worst = Math.max(...a.flatMap((row, r) => row.map((v, j) => Math.abs(v + b[r][j]))));
      assert.ok(worst < 1e-5, `|f(x) + f(−x)| up to ${worst}`);
      const energies = tf.tidy(() =>
        [x, x.map((r) => r.map((v) => -v))].map((rows) => massMatrixEnergy(lagrangian, params, tf.tensor2d(rows), tf.tensor2d(eta)).arraySync() as number[][]),
      );
      energies[0].forEach((e, r) => assert.ok(Math.abs(e[0] - energies[1][r][0]) < 1e-5, `E(x) ${e[0]} vs E(−x) ${energies[1][r][0]}`));
      tf.dispose(params);
    });

    it('the gradient of an RK4 rollout loss matches central finite differences, for the weights and for η (the inner loop\'s)', () => {
      const rng = createRng(25);
      const params = massMatrixFieldParamsInit(lagrangian, rng);
      const rollout = randomRolloutLoss(rng, 4, 2, (ps, eta) => massMatrixVectorField(lagrangian, ps, eta));
      // Every tensor of the first layers and outputs of each network (readouts included with 'outputWeights').
      const checked = Array.from({ length: params.length }, (_, i) => i).filter((i) => i % 2 === 0 || i === params.length - 1);
      const worst = assertGradientMatchesCentralDifferences(rollout.loss, params, checked, 1e-2, { relative: 2e-2, absolute: 3e-5 });
      // ∂L/∂η through a rollout: what the inner loop's Levenberg–Marquardt Jacobian differentiates.
      const eta = tf.tensor2d(randomMatrix(createRng(29), 4, 2, 1));
      const x0 = tf.tensor2d(randomMatrix(createRng(30), 4, 4, 1));
      const target = tf.tensor3d([0, 1, 2].map((k) => randomMatrix(createRng(31 + k), 4, 4, 1)));
      const etaLoss = (ps: readonly tf.Tensor[]) =>
        tf.mean(tf.square(tf.sub(odeint(massMatrixVectorField(lagrangian, params, ps[0] as tf.Tensor2D), x0, [0, 0.2, 0.4], { method: 'rk4', substeps: 2 }), target))) as tf.Scalar;
      const worstEta = assertGradientMatchesCentralDifferences(etaLoss, [eta], [0], 1e-2, { relative: 2e-2, absolute: 3e-5 });
      console.log(`      rollout gradient vs finite differences: worst relative error ${worst.toExponential(2)} (weights), ${worstEta.toExponential(2)} (η)`);
      tf.dispose([...params, eta, x0, target]);
      rollout.dispose();
    });

    if (etaConditioning === 'input') it('refuses an unknown forceModel, and an energy for a general field', () => {
      const params = massMatrixFieldParamsInit(base, createRng(26));
      const eta = tf.tensor2d([[0, 0]]);
      assert.throws(() => massMatrixVectorField({ ...base, forceModel: 'hamiltonian' as 'general' }, params, eta), (e: Error) => e instanceof ConfigError && /forceModel must be 'general' or 'lagrangian', got 'hamiltonian'/.test(e.message));
      assert.throws(() => massMatrixEnergy(base, params, tf.tensor2d([[0, 0, 0, 0]]), eta), (e: Error) => e instanceof ConfigError && /only a 'lagrangian' field has an energy/.test(e.message));
      tf.dispose([...params, eta]);
    });
  });

  for (const s of [base, { ...base, forceModel: 'lagrangian', etaConditioning: 'outputWeights' } as MassMatrixFieldSpec]) {
    it(`leaves no tensors behind when a field is built, evaluated and differentiated inside tf.tidy (${s.forceModel}, ${s.etaConditioning ?? 'input'})`, () => {
      const params = massMatrixFieldParamsInit(s, createRng(11));
      const x = tf.tensor2d(randomMatrix(createRng(12), 3, 4, 1));
      const eta = tf.tensor2d(randomMatrix(createRng(13), 3, 2, 1));
      const before = tf.memory().numTensors;
      tf.tidy(() => {
        massMatrixVectorField(s, params, eta)(0, x).dataSync();
        massMatrix(s, params, tf.slice(x, [0, 0], [-1, 2]) as tf.Tensor2D, eta).dataSync();
        tf.grads((...ps: tf.Tensor[]) => tf.sum(massMatrixVectorField(s, ps, eta)(0, x)))(params);
      });
      assert.equal(tf.memory().numTensors, before);
      tf.dispose([...params, x, eta]);
    });
  }

  it('rejects a bad spec or input with a ConfigError naming the field', () => {
    const params = massMatrixFieldParamsInit(base, createRng(14));
    const eta = tf.tensor2d([[0, 0]]);
    const isConfigError = (pattern: RegExp) => (e: Error) => e instanceof ConfigError && pattern.test(e.message);
    assert.throws(() => massMatrixFieldParamsInit({ ...base, positionDim: 3 as 2 }, createRng(1)), isConfigError(/positionDim must be 2/));
    assert.throws(() => massMatrixVectorField({ ...base, positionDim: 1 as 2 }, params, eta), isConfigError(/positionDim must be 2/));
    assert.throws(() => massMatrixVectorField({ ...base, massFloor: 0 }, params, eta), isConfigError(/massFloor must be > 0/));
    assert.throws(() => massMatrixVectorField(base, params.slice(1), eta), isConfigError(/params: expected 6 mass-network then 6 force-network tensors, got 11/));
    assert.throws(() => massMatrixVectorField(base, params, tf.tensor2d([[0]])), isConfigError(/etaRows must be \[rows, etaDim = 2\]/));
    const field = massMatrixVectorField(base, params, eta);
    assert.throws(() => field(0, tf.tensor2d([[0, 0, 0]])), isConfigError(/massMatrixVectorField: state must be \[rows, 2·positionDim = 4\]/));
    assert.throws(() => massMatrix(base, params, tf.tensor2d([[0, 0, 0]]), eta), isConfigError(/massMatrix: q must be/));
    tf.dispose([...params, eta]);
  });
});
