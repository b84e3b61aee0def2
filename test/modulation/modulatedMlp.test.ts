import { strict as assert } from 'assert';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/core/backend';
import { ConfigError } from '../../src/core/errors';
import { createRng } from '../../src/core/rng';
import {
  type RowLatents,
  conditionModulatedMlp,
  disposeModulatedMlp,
  modulatedMlpFromTensors,
  modulatedMlpTensors,
  modulationParameterCounts,
  taskModulations,
} from '../../src/modulation/modulatedMlp';
import { modulatedValueAndInputGradient } from '../../src/modulation/modulatedInputGradient';
import { MODULATION_KINDS, type ModulationKind, type ModulationSpec, modulationSpec } from '../../src/modulation/modulation';
import { multiRankModulation } from '../../src/modulation/multiRank';
import { hiddenLayersMlpSpec } from '../../src/nn/accelerationField';
import { modulatedHamiltonianField } from '../../src/models/hnn';
import { mlpValueAndInputGradient } from '../../src/nn/inputGradient';
import { matMul } from '../../src/nn/ops';
import { modulatedFixture } from '../helpers/modulation';
import { assertGradientMatchesCentralDifferences, randomMatrix } from '../helpers/numeric';

type Evaluation = { H: number[]; grad: number[][] };

function evaluate(spec: ModulationSpec, params: ReturnType<typeof modulatedFixture>['params'], x: number[][], latents: () => RowLatents): Evaluation {
  return tf.tidy(() => {
    const r = modulatedValueAndInputGradient(conditionModulatedMlp(spec, params, latents()), tf.tensor2d(x));
    return { H: Array.from(r.value.dataSync()), grad: r.inputGradient.arraySync() as number[][] };
  });
}

function maxAbsDifference(a: Evaluation, b: Evaluation): number {
  const h = a.H.map((v, i) => Math.abs(v - b.H[i]));
  const g = a.grad.flatMap((row, i) => row.map((v, j) => Math.abs(v - b.grad[i][j])));
  return Math.max(...h, ...g);
}

describe('modulation/modulatedMlp', () => {
  before(async () => {
    await initBackend();
  });

  const x = randomMatrix(createRng(100), 4, 2, 1);

  for (const kind of MODULATION_KINDS) {
    it(`${kind}: z = 0 with a zero-bias hypernetwork is exactly the base network (and z ≠ 0 is not)`, () => {
      const { spec, params } = modulatedFixture(kind, 1, { zeroHyperBias: true });
      const zero = evaluate(spec, params, x, () => ({ codes: tf.zeros([4, spec.latentDim]) }));
      const base = tf.tidy(() => {
        const r = mlpValueAndInputGradient(spec.base, params.base, tf.tensor2d(x));
        return { H: Array.from(r.value.dataSync()), grad: r.inputGradient.arraySync() as number[][] };
      });
      assert.deepEqual(zero, base);
      const codes = randomMatrix(createRng(2), 4, spec.latentDim, 1);
      const modulated = evaluate(spec, params, x, () => ({ codes: tf.tensor2d(codes) }));
      assert.ok(maxAbsDifference(modulated, base) > 1e-2, `${kind}: a non-zero code should change H`);
      disposeModulatedMlp(params);
    });

    for (const activation of ['tanh', 'softplus'] as const) {
      it(`${kind}: the analytic ∂H/∂x matches central differences (${activation}, step 1e-3, float32)`, () => {
        const { spec, params } = modulatedFixture(kind, 3, { activation });
        const codes = randomMatrix(createRng(4), 4, spec.latentDim, 1);
        const latents = () => ({ codes: tf.tensor2d(codes) });
        const { grad } = evaluate(spec, params, x, latents);
        const h = 1e-3;
        let worst = 0;
        for (let j = 0; j < 2; j++) {
          const plus = evaluate(spec, params, x.map((r) => r.map((v, k) => (k === j ? v + h : v))), latents).H;
          const minus = evaluate(spec, params, x.map((r) => r.map((v, k) => (k === j ? v - h : v))), latents).H;
          plus.forEach((p, r) => {
            const fd = (p - minus[r]) / (2 * h);
            worst = Math.max(worst, Math.abs(fd - grad[r][j]) / Math.max(Math.abs(fd), 1e-2));
            assert.ok(Math.abs(fd - grad[r][j]) <= 2e-2 * Math.max(Math.abs(fd), 1e-2), `row ${r}, x_${j}: fd ${fd} vs analytic ${grad[r][j]}`);
          });
        }
        console.log(`      ${kind} (${activation}): worst relative error of ∂H/∂x ${worst.toExponential(2)}`);
        disposeModulatedMlp(params);
      });
    }

    for (const perTask of [true, false]) {
      it(`${kind}: the HNN-loss gradient w.r.t. base weights, hypernetwork, shared tensors and z matches central differences (${perTask ? 'tasks by membership' : 'a code per row'})`, () => {
        const { spec, params } = modulatedFixture(kind, 5);
        const rng = createRng(6);
        // Three tasks over five rows through a membership, or five rows with a code each: the two paths of every kind.
        const membership = perTask ? tf.tensor2d([[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 0, 0], [0, 1, 0]]) : undefined;
        const states = tf.tensor2d(randomMatrix(rng, 5, 2, 1));
        const targets = tf.tensor2d(randomMatrix(rng, 5, 2, 1));
        const tensors = [...modulatedMlpTensors(params), tf.tensor2d(randomMatrix(rng, perTask ? 3 : 5, spec.latentDim, 1))];
        const loss = (ps: readonly tf.Tensor[]) => {
          const p = modulatedMlpFromTensors(spec, ps.slice(0, -1));
          const field = modulatedHamiltonianField(spec, p, { codes: ps[ps.length - 1] as tf.Tensor2D, membership });
          return tf.mean(tf.square(tf.sub(field(0, states), targets))) as tf.Scalar;
        };
        const worst = assertGradientMatchesCentralDifferences(loss, tensors, tensors.map((_, k) => k), 1e-3, { relative: 2e-2, absolute: 1e-4 });
        console.log(`      ${kind}: ${tensors.length} tensors, worst relative error ${worst.toExponential(2)}`);
        tf.dispose([...tensors, states, targets, ...(membership ? [membership] : [])]);
      });
    }

    it(`${kind}: rows with different codes in one pass equal each row alone, and a membership equals its expanded codes`, () => {
      const { spec, params } = modulatedFixture(kind, 7);
      const codes = randomMatrix(createRng(8), 4, spec.latentDim, 1);
      const together = evaluate(spec, params, x, () => ({ codes: tf.tensor2d(codes) }));
      const alone = x.map((row, r) => evaluate(spec, params, [row], () => ({ codes: tf.tensor2d([codes[r]]) })));
      const stacked = { H: alone.map((e) => e.H[0]), grad: alone.map((e) => e.grad[0]) };
      assert.ok(maxAbsDifference(together, stacked) < 1e-5, `batched vs alone: ${maxAbsDifference(together, stacked)}`);
      const taskOfRow = [1, 0, 1, 1];
      const tasks = codes.slice(0, 2);
      const viaMembership = evaluate(spec, params, x, () => ({
        codes: tf.tensor2d(tasks),
        membership: tf.tensor2d(taskOfRow.map((k) => [k === 0 ? 1 : 0, k === 1 ? 1 : 0])),
      }));
      const expanded = evaluate(spec, params, x, () => ({ codes: tf.tensor2d(taskOfRow.map((k) => tasks[k])) }));
      assert.ok(maxAbsDifference(viaMembership, expanded) < 1e-5, `membership vs expanded: ${maxAbsDifference(viaMembership, expanded)}`);
      disposeModulatedMlp(params);
    });
  }

  it('MR(r) whose r factor pairs all equal RO\'s one pair is RO (the 1/r scaling: without it ΔW would be r times RO\'s)', () => {
    const ro = modulatedFixture('ro', 11);
    const r = 3;
    const mr = modulatedFixture('mr', 12, { rank: r });
    // Per layer the hypernetwork emits [u | v | shift] for RO and [u_1 … u_r | v_1 … v_r | shift] for MR: repeat
    // RO's u and v columns r times to build MR's Φ and φ₀.
    const layers = ro.spec.base.sizes.slice(0, -2).map((inDim, l) => ({ inDim, outDim: ro.spec.base.sizes[l + 1] }));
    const repeatColumns = (t: tf.Tensor2D): tf.Tensor2D =>
      tf.tidy(() => {
        let offset = 0;
        const parts = layers.flatMap(({ inDim, outDim }) => {
          const [u, v, shift] = [outDim, inDim, outDim].map((width) => {
            const part = tf.slice(t, [0, offset], [-1, width]);
            offset += width;
            return part;
          });
          return [...Array<tf.Tensor>(r).fill(u), ...Array<tf.Tensor>(r).fill(v), shift];
        });
        return tf.concat(parts, 1) as tf.Tensor2D;
      });
    const hyperWeight = repeatColumns(ro.params.hyperWeight);
    const hyperBias = tf.tidy(() => tf.reshape(repeatColumns(tf.reshape(ro.params.hyperBias, [1, -1]) as tf.Tensor2D), [-1]) as tf.Tensor1D);
    const asMr = { ...mr.params, base: ro.params.base, hyperWeight, hyperBias };
    const codes = randomMatrix(createRng(13), 4, ro.spec.latentDim, 1);
    const latents = () => ({ codes: tf.tensor2d(codes) });
    const difference = maxAbsDifference(evaluate(mr.spec, asMr, x, latents), evaluate(ro.spec, ro.params, x, latents));
    assert.ok(difference < 1e-5, `MR(${r}) with repeated factors vs RO: ${difference}`);
    tf.dispose([hyperWeight, hyperBias]);
    disposeModulatedMlp(ro.params);
    disposeModulatedMlp(mr.params);
  });

  it("parameter counts match the spec's table (§3.2: base 2→100→100→100→1, d_z = 10)", () => {
    const base = hiddenLayersMlpSpec({ width: 100, depth: 3, activation: 'tanh', beta: 1 }, 2, 1);
    const table: [ModulationKind, number, number, number][] = [
      // kind, hypernetwork outputs, hypernetwork params, shared extras
      ['shift', 300, 3300, 0],
      ['fw', 20500, 225500, 0],
      ['ro', 802, 8822, 0],
      ['mr', 2810, 30910, 0],
      ['svd', 315, 3465, 2510],
      ['mr-v1', 315, 3465, 2510],
    ];
    for (const [kind, outputs, hyper, shared] of table) {
      const c = modulationParameterCounts(modulationSpec(base, kind));
      assert.deepEqual(
        c,
        { base: 20601, hypernetworkOutputs: outputs, hypernetwork: hyper, shared, metaLearned: 20601 + hyper + shared, perTask: 10 },
        kind,
      );
    }
  });

  it('rejects a bad config with a ConfigError naming the field and what is allowed', () => {
    const base = hiddenLayersMlpSpec({ width: 4, depth: 2, activation: 'tanh', beta: 1 }, 2, 1);
    const cases: [() => unknown, RegExp][] = [
      [() => modulationSpec(base, 'lora' as ModulationKind), /kind must be one of 'shift', 'fw', 'ro', 'mr', 'svd', 'mr-v1', got 'lora'/],
      [() => modulationSpec(base, 'svd', { rank: 0 }), /rank must be a positive integer, got 0/],
      [() => modulationSpec(base, 'mr', { rank: 2.5 }), /rank must be a positive integer, got 2.5/],
      [() => modulationSpec(base, 'ro', { rank: 3 }), /rank must be 1 for kind 'ro'/],
      [() => modulationSpec(base, 'shift', { latentDim: 0 }), /latentDim must be a positive integer, got 0/],
      [() => modulationSpec(hiddenLayersMlpSpec({ width: 4, depth: 2, activation: 'tanh', beta: 1 }, 2, 2), 'fw'), /scalar-output MLP/],
    ];
    for (const [make, message] of cases) assert.throws(make, (e: unknown) => e instanceof ConfigError && message.test(e.message), String(message));
    const { spec, params } = modulatedFixture('ro', 9);
    assert.throws(
      () =>
        tf.tidy(() => {
          conditionModulatedMlp(spec, params, { codes: tf.zeros([2, 4]) });
        }),
      /latent codes must be \[tasks, latentDim = 3\]/,
    );
    assert.throws(
      () => tf.tidy(() => modulatedValueAndInputGradient(conditionModulatedMlp(spec, params, { codes: tf.zeros([2, 3]) }), tf.zeros([3, 2]))),
      /input must be \[rows = 2, 2\]/,
    );
    disposeModulatedMlp(params);
  });

  it('leaves no tensor behind: a tidy evaluation plus parameter gradient keeps tf.memory().numTensors flat', () => {
    for (const kind of MODULATION_KINDS) {
      const { spec, params } = modulatedFixture(kind, 10);
      const codes = tf.tensor2d(randomMatrix(createRng(11), 4, spec.latentDim, 1));
      const states = tf.tensor2d(x);
      const before = tf.memory().numTensors;
      tf.tidy(() => {
        const tensors = [...modulatedMlpTensors(params), codes];
        const loss = (...ps: tf.Tensor[]) => tf.sum(modulatedHamiltonianField(spec, modulatedMlpFromTensors(spec, ps.slice(0, -1)), { codes: ps[ps.length - 1] as tf.Tensor2D })(0, states));
        tf.grads(loss)(tensors);
      });
      assert.equal(tf.memory().numTensors, before, kind);
      tf.dispose([codes, states]);
      disposeModulatedMlp(params);
    }
  });

  /** Values and gradients (of Σ c ⊙ outputs for fixed random c) of `outputs(inputs)`, as plain arrays. */
  function valuesAndGrads(outputs: (ts: tf.Tensor[]) => tf.Tensor[], inputs: tf.Tensor[], seed: number): number[][] {
    return tf.tidy(() => {
      const rng = createRng(seed);
      const values = outputs(inputs);
      const weights = values.map((v) => tf.tensor(randomMatrix(rng, 1, v.size, 1)[0], v.shape));
      const grads = tf.grads((...ts: tf.Tensor[]) => tf.addN(outputs(ts).map((v, i) => tf.sum(tf.mul(v, weights[i])))) as tf.Scalar)(inputs);
      return [...values, ...grads].map((t) => Array.from(t.dataSync()));
    });
  }

  for (const kind of MODULATION_KINDS) {
    it(`${kind}: the hypernetwork blocks from one split of Φ and φ₀ equal column slices of z Φ + φ₀, values and gradients bit for bit`, () => {
      const { spec, params } = modulatedFixture(kind, 12);
      const codes = tf.tensor2d(randomMatrix(createRng(13), 4, spec.latentDim, 1));
      const split = ([phi, phi0, z]: tf.Tensor[]) =>
        taskModulations(spec, { ...params, hyperWeight: phi as tf.Tensor2D, hyperBias: phi0 as tf.Tensor1D }, z as tf.Tensor2D).flatMap((m) => [...(m.weights ?? []), m.shifts]);
      // The layout read off the blocks' widths (per layer: weight blocks, then shifts), each block sliced from Φ and
      // φ₀ as before the split (svd's weights through its ReLU).
      const layout = tf.tidy(() => taskModulations(spec, params, codes).map((m) => ({ weights: (m.weights ?? []).map((w) => w.shape[1]), shifts: m.shifts.shape[1] })));
      const sliced = (ts: tf.Tensor[]) => {
        const [phi, phi0, z] = ts as [tf.Tensor2D, tf.Tensor1D, tf.Tensor2D];
        let offset = 0;
        const block = (width: number) => {
          const raw = tf.add(matMul(z, tf.slice(phi, [0, offset], [-1, width]) as tf.Tensor2D), tf.slice(phi0, [offset], [width])) as tf.Tensor2D;
          offset += width;
          return raw;
        };
        return layout.flatMap((l) => [...l.weights.map((w) => (kind === 'svd' ? tf.relu(block(w)) : block(w))), block(l.shifts)]);
      };
      const inputs = [params.hyperWeight, params.hyperBias, codes];
      assert.deepEqual(valuesAndGrads(split, inputs, 14), valuesAndGrads(sliced, inputs, 14));
      codes.dispose();
      disposeModulatedMlp(params);
    });
  }

  it('ro with a code per row: h ΔW = (h · v) u and g ΔWᵀ = (g · u) v equal the taped mul, sum and mul bit for bit, values and gradients, also for one broadcast row g', () => {
    const rng = createRng(15);
    const layer = { inDim: 3, outDim: 4 };
    const [u, v, h] = [[5, 4], [5, 3], [5, 3]].map(([r, c]) => tf.tensor2d(randomMatrix(rng, r, c, 1)));
    const g = tf.tensor2d(randomMatrix(rng, 1, 4, 1));
    const modulation = (uu: tf.Tensor, vv: tf.Tensor) =>
      multiRankModulation.weightModulation({ weights: [uu as tf.Tensor2D, vv as tf.Tensor2D], membership: null, shared: [], layer, rank: 1 }) as NonNullable<ReturnType<typeof multiRankModulation.weightModulation>>;
    const taped = (x: tf.Tensor, onto: tf.Tensor, along: tf.Tensor) => tf.mul(tf.sum(tf.mul(x, onto), 1, true), along);
    const forward = valuesAndGrads(([hh, uu, vv]) => [modulation(uu, vv).forward(hh as tf.Tensor2D)], [h, u, v], 16);
    assert.deepEqual(forward, valuesAndGrads(([hh, uu, vv]) => [taped(hh, vv, uu)], [h, u, v], 16));
    const transpose = valuesAndGrads(([gg, uu, vv]) => [modulation(uu, vv).transpose(gg as tf.Tensor2D)], [g, u, v], 17);
    assert.deepEqual(transpose, valuesAndGrads(([gg, uu, vv]) => [taped(gg, uu, vv)], [g, u, v], 17));
    tf.dispose([u, v, h, g]);
  });
});
