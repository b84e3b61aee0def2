import { strict as assert } from 'assert';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/core/backend';
import { createRng } from '../../src/core/rng';
import { type ConservativeForceSpec, conservativeVectorField, potentialAndForce, potentialMlpSpec } from '../../src/nn/conservativeForce';
import { conditionMlp } from '../../src/nn/conditionedMlp';
import { conditionedInputGradient } from '../../src/nn/inputGradient';
import { disposeMlp, initMlp, mlpFromTensors, mlpTensors } from '../../src/nn/mlp';
import { type TensorVectorField, odeint } from '../../src/nn/odeint';

const base: ConservativeForceSpec = { positionDim: 2, etaDim: 1, width: 16, depth: 2, beta: 10, symmetry: 'reflection', etaTransform: 'abs', mass: 2 };

function evaluate(s: ConservativeForceSpec, seed: number, q: number[][], eta: number[][]) {
  const net = initMlp(potentialMlpSpec(s), createRng(seed));
  const out = tf.tidy(() => {
    const r = potentialAndForce(s, net, tf.tensor2d(q), tf.tensor2d(eta));
    return { V: Array.from(r.energy.dataSync()), F: r.force.arraySync() as number[][] };
  });
  disposeMlp(net);
  return out;
}

describe('nn/conservativeForce', () => {
  before(async () => {
    await initBackend();
  });

  it("has the authors' architecture: Linear(n+dη→w), depth×[Linear, Softplus(β)], Linear(w→1, no bias)", () => {
    const spec = potentialMlpSpec({ ...base, positionDim: 1, width: 32, depth: 4 });
    assert.deepEqual(spec.sizes, [2, 32, 32, 32, 32, 32, 1]);
    assert.deepEqual(spec.activations.map((a) => a.kind), ['identity', 'softplus', 'softplus', 'softplus', 'softplus', 'identity']);
    assert.deepEqual(spec.biases, [true, true, true, true, true, false]);
  });

  it('reflection symmetry: V(−q) = V(q) and F(−q) = −F(q) for any weights; without it they differ', () => {
    const q = [[0.4, -1.1], [1.3, 0.2]];
    const minusQ = q.map((r) => r.map((v) => -v));
    const eta = [[0.7], [-0.3]];
    const a = evaluate(base, 1, q, eta);
    const b = evaluate(base, 1, minusQ, eta);
    a.V.forEach((v, i) => assert.ok(Math.abs(v - b.V[i]) < 1e-6, `V ${v} vs ${b.V[i]}`));
    a.F.forEach((r, i) => r.forEach((f, j) => assert.ok(Math.abs(f + b.F[i][j]) < 1e-6, `F ${f} vs ${b.F[i][j]}`)));
    const none = { ...base, symmetry: 'none' as const };
    const c = evaluate(none, 1, q, eta);
    const d = evaluate(none, 1, minusQ, eta);
    assert.ok(Math.abs(c.V[0] - d.V[0]) > 1e-4, 'an unsymmetrised network should not be even by accident');
  });

  it('the force is −∂V/∂q (finite differences) and |η| makes the sign of η irrelevant', () => {
    const q = [[0.4, -1.1]];
    const h = 1e-2;
    const F = evaluate(base, 2, q, [[0.5]]).F[0];
    for (let j = 0; j < 2; j++) {
      const plus = evaluate(base, 2, [q[0].map((v, k) => (k === j ? v + h : v))], [[0.5]]).V[0];
      const minus = evaluate(base, 2, [q[0].map((v, k) => (k === j ? v - h : v))], [[0.5]]).V[0];
      const fd = -(plus - minus) / (2 * h);
      assert.ok(Math.abs(fd - F[j]) < 2e-2 * Math.abs(fd) + 2e-3, `F_${j}: ${F[j]} vs −dV/dq ${fd}`);
    }
    assert.deepEqual(evaluate(base, 2, q, [[-0.5]]).F, evaluate(base, 2, q, [[0.5]]).F);
  });

  it('the vector field is (v, F/m) and conserves the learned energy along a dopri5 rollout', () => {
    const s = { ...base, positionDim: 1 };
    const net = initMlp(potentialMlpSpec(s), createRng(4));
    const eta = tf.tensor2d([[0.3]]);
    const drift = tf.tidy(() => {
      const x0 = tf.tensor2d([[0.6, 0.2]]);
      const field = conservativeVectorField(s, net, eta);
      const direct = field(0, x0).arraySync() as number[][];
      const F = potentialAndForce(s, net, tf.tensor2d([[0.6]]), eta).force.dataSync()[0];
      assert.ok(Math.abs(direct[0][0] - 0.2) < 1e-7 && Math.abs(direct[0][1] - F / s.mass) < 1e-6);
      const traj = odeint(field, x0, Array.from({ length: 51 }, (_, i) => i * 0.1), { method: 'dopri5', rtol: 1e-6, atol: 1e-6 });
      const states = traj.arraySync() as number[][][];
      const energy = states.map(([[q, v]]) => potentialAndForce(s, net, tf.tensor2d([[q]]), eta).energy.dataSync()[0] + 0.5 * s.mass * v * v);
      return Math.max(...energy.map((e) => Math.abs(e - energy[0])));
    });
    assert.ok(drift < 1e-3, `energy drift ${drift}`);
    disposeMlp(net);
    eta.dispose();
  });

  it('an RK4 rollout gives the same loss and gradients (weights, η, start states) as the orbit written in taped slices, concats and subtractions, bit for bit', () => {
    const s = { ...base, mass: 1 };
    const params = mlpTensors(initMlp(potentialMlpSpec(s), createRng(6)));
    const x0 = tf.tensor2d([[0.4, -1.1, 0.3, 0.1], [1.3, 0.2, -0.5, 0.7]]);
    const eta = tf.tensor2d([[0.7], [-0.3]]);
    // The field as it read before its orbit ends became custom-gradient nodes.
    const taped = (ps: tf.Tensor[], e: tf.Tensor2D): TensorVectorField => {
      const absEta = tf.abs(e) as tf.Tensor2D;
      const mlp = conditionMlp(potentialMlpSpec(s), mlpFromTensors(potentialMlpSpec(s), ps), tf.concat([absEta, absEta], 0) as tf.Tensor2D);
      return (_t, x) => {
        const [q, v] = [tf.slice(x, [0, 0], [-1, 2]), tf.slice(x, [0, 2], [-1, 2])] as tf.Tensor2D[];
        const g = conditionedInputGradient(mlp, tf.concat([q, tf.neg(q)], 0) as tf.Tensor2D);
        return tf.concat([v, tf.sub(tf.slice(g, [2, 0], [2, -1]), tf.slice(g, [0, 0], [2, -1]))], 1) as tf.Tensor2D;
      };
    };
    const run = (field: (ps: tf.Tensor[], e: tf.Tensor2D) => TensorVectorField) =>
      tf.tidy(() => {
        const { value, grads } = tf.valueAndGrads((...ts: tf.Tensor[]) => {
          const traj = odeint(field(ts.slice(2), ts[1] as tf.Tensor2D), ts[0] as tf.Tensor2D, [0, 0.1, 0.2, 0.3], { method: 'rk4' });
          return tf.sum(tf.square(traj)) as tf.Scalar;
        })([x0, eta, ...params]);
        return [value, ...grads].map((t) => Array.from(t.dataSync()));
      });
    const nodes = run((ps, e) => conservativeVectorField(s, mlpFromTensors(potentialMlpSpec(s), ps), e));
    assert.deepEqual(nodes, run(taped));
    tf.dispose([...params, x0, eta]);
  });
});
