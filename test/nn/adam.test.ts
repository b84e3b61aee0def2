/**
 * adamStep: the update of Kingma & Ba with PyTorch's defaults, and the same numbers whether the tensors are updated
 * one by one or laid end to end in one update (what adamStep does for many tensors, to launch fewer kernels).
 */
import { strict as assert } from 'assert';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/core/backend';
import { createRng } from '../../src/core/rng';
import { type AdamState, adamInit, adamStep, disposeAdam } from '../../src/nn/adam';
import { randomMatrix } from '../helpers/numeric';

/** A weight, a bias and a scalar-like [1, 1] tensor, as in the models' parameter lists. */
const SHAPES: number[][] = [[4, 3], [3], [1, 1], [3, 2], [2]];

function tensors(seed: number): tf.Tensor[] {
  const rng = createRng(seed);
  return SHAPES.map((shape) => tf.tensor(randomMatrix(rng, 1, shape.reduce((a, b) => a * b, 1), 1)[0], shape));
}

describe('nn/adam', () => {
  before(async () => {
    await initBackend();
  });

  it('one step moves each entry by lr · m̂/(√v̂ + ε): by lr·sign(g) at the first step', () => {
    const [p] = tensors(3);
    const g = tf.tensor2d([[2, -0.5, 1e-3], [0, 4, -4], [1, 1, 1], [-1, 2, 3]]);
    const state = adamInit([p]);
    const r = adamStep([p], [g], state, { lr: 0.01 });
    // m̂ = g and v̂ = g² at t = 1, so the step is lr · g/(|g| + ε).
    const expected = Array.from(p.dataSync()).map((v, i) => v - (0.01 * g.dataSync()[i]) / (Math.abs(g.dataSync()[i]) + 1e-8));
    Array.from(r.params[0].dataSync()).forEach((v, i) => assert.ok(Math.abs(v - expected[i]) < 1e-6, `entry ${i}: ${v} vs ${expected[i]}`));
    assert.equal(r.state.step, 1);
    tf.dispose([p, g, ...r.params]);
    disposeAdam(state);
    disposeAdam(r.state);
  });

  it('many tensors in one update give the per-tensor updates bit for bit, with every state shape kept, over several steps', () => {
    const before = tf.memory().numTensors;
    let together = tensors(5);
    let alone = together.map((t) => t.clone());
    let stateTogether: AdamState = adamInit(together);
    let statesAlone: AdamState[] = alone.map((t) => adamInit([t]));
    for (let step = 0; step < 4; step++) {
      const grads = tensors(100 + step);
      const next = adamStep(together, grads, stateTogether, { lr: 1e-3 });
      const nextAlone = alone.map((p, i) => adamStep([p], [grads[i]], statesAlone[i], { lr: 1e-3 }));
      next.params.forEach((p, i) => {
        assert.deepEqual(p.shape, SHAPES[i]);
        assert.deepEqual(next.state.m[i].shape, SHAPES[i]);
        assert.deepEqual(Array.from(p.dataSync()), Array.from(nextAlone[i].params[0].dataSync()), `step ${step}, tensor ${i}: parameters`);
        assert.deepEqual(Array.from(next.state.m[i].dataSync()), Array.from(nextAlone[i].state.m[0].dataSync()), `step ${step}, tensor ${i}: m`);
        assert.deepEqual(Array.from(next.state.v[i].dataSync()), Array.from(nextAlone[i].state.v[0].dataSync()), `step ${step}, tensor ${i}: v`);
      });
      tf.dispose([...grads, ...together, ...alone]);
      disposeAdam(stateTogether);
      statesAlone.forEach(disposeAdam);
      together = next.params;
      stateTogether = next.state;
      alone = nextAlone.map((r) => r.params[0]);
      statesAlone = nextAlone.map((r) => r.state);
    }
    tf.dispose([...together, ...alone]);
    disposeAdam(stateTogether);
    statesAlone.forEach(disposeAdam);
    assert.equal(tf.memory().numTensors, before, 'no tensor left behind');
  });

  it('updates the five tensors (three of them not vectors) in 13 + 4 concats + 3 splits + 3 · 7 reshapes = 41 launches, not 5 · 13 = 65', async () => {
    const params = tensors(7);
    const grads = tensors(8);
    const state = adamInit(params);
    let r: { params: tf.Tensor[]; state: AdamState } | null = null;
    const { kernels } = await tf.profile(() => {
      r = adamStep(params, grads, state, { lr: 1e-3 });
    });
    assert.equal(kernels.length, 41);
    const done = r as unknown as { params: tf.Tensor[]; state: AdamState };
    tf.dispose([...params, ...grads, ...done.params]);
    disposeAdam(state);
    disposeAdam(done.state);
  });
});
