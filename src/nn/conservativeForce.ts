/**
 * iMODE's conservative force field with a reflection-symmetric potential (Li et al. 2023, the authors'
 * `ODEFunc`): a scalar energy network V_net(q, η) on positions q ∈ ℝⁿ and adaptation parameters η,
 *
 *   V(q, η) = Σ_{g ∈ G} V_net(g·q, τ(η)),   G = {I, −I} (reflection) or {I},   τ = |·| (authors) or identity,
 *   F(q, η) = −∂V/∂q = −Σ_{g ∈ G} gᵀ ∇_q V_net(g·q, τ(η)),
 *
 * and the second-order dynamics q̇ = v, v̇ = F/m written as a first-order field on the state x = (q, v).
 * Summing over the group orbit makes V exactly invariant and F exactly equivariant (F(−q) = −F(q)), whatever the
 * weights. ∇_q V_net comes from the analytic MLP input gradient, so training needs only first-order autodiff.
 *
 * Every row of a batch carries its own η (etaRows: [rows, dη]), so all tasks of a meta-batch share one rollout.
 */
import * as tf from '@tensorflow/tfjs';
import { ConfigError } from '../core/errors';
import { conditionMlp, conditionedValue } from './conditionedMlp';
import { conditionedInputGradient } from './inputGradient';
import type { MlpParams, MlpSpec } from './mlp';
import type { TensorVectorField } from './odeint';
import { recording } from './ops';

export type PositionSymmetry = 'reflection' | 'none';
export type EtaTransform = 'abs' | 'identity';

export interface ConservativeForceSpec {
  /** n, the number of position coordinates (the state has 2n entries) */
  positionDim: number;
  etaDim: number;
  /** width of every hidden layer */
  width: number;
  /** number of [Linear, Softplus] blocks after the first (activation-free) linear layer */
  depth: number;
  /** Softplus sharpness β */
  beta: number;
  symmetry: PositionSymmetry;
  etaTransform: EtaTransform;
  mass: number;
}

/** The authors' energy network: Linear(n+dη → w), depth × [Linear(w → w), Softplus(β)], Linear(w → 1, no bias). */
export function potentialMlpSpec(s: ConservativeForceSpec): MlpSpec {
  for (const k of ['positionDim', 'etaDim', 'width', 'depth'] as const) {
    if (!Number.isInteger(s[k]) || s[k] < (k === 'depth' ? 0 : 1)) throw new ConfigError(`${k} must be a positive integer, got ${s[k]}`);
  }
  if (!(s.mass > 0)) throw new ConfigError(`mass must be > 0, got ${s.mass}`);
  const sizes = [s.positionDim + s.etaDim, ...Array<number>(s.depth + 1).fill(s.width), 1];
  return {
    sizes,
    activations: [{ kind: 'identity' }, ...Array(s.depth).fill({ kind: 'softplus', beta: s.beta }), { kind: 'identity' }],
    biases: [...Array<boolean>(s.depth + 1).fill(true), false],
  };
}

/**
 * V and F = −∂V/∂q on the group orbit, with the MLP conditioned once on τ(η) (reused by every call, e.g. every
 * stage of a rollout). Returns q: [rows, n] -> { energy: [rows, 1], force: [rows, n] }.
 */
function orbitEvaluator(s: ConservativeForceSpec, net: MlpParams, etaRows: tf.Tensor2D) {
  const eta = s.etaTransform === 'abs' ? (tf.abs(etaRows) as tf.Tensor2D) : etaRows;
  const condition = s.symmetry === 'reflection' ? (tf.concat([eta, eta], 0) as tf.Tensor2D) : eta;
  const mlp = conditionMlp(potentialMlpSpec(s), net, condition);
  // The force is one custom-gradient node (conditionedInputGradient); the energy is computed only when read: a
  // rollout asks for the force alone.
  return (q: tf.Tensor2D): { energy: tf.Tensor2D; force: tf.Tensor2D } => {
    if (s.symmetry === 'none') {
      return {
        get energy() {
          return conditionedValue(mlp, q);
        },
        force: tf.neg(conditionedInputGradient(mlp, q)) as tf.Tensor2D,
      };
    }
    const both = reflectionOrbit(q);
    return {
      get energy() {
        const [value, reflectedValue] = tf.split(conditionedValue(mlp, both), 2, 0);
        return tf.add(value, reflectedValue) as tf.Tensor2D;
      },
      force: orbitForce(conditionedInputGradient(mlp, both)),
    };
  };
}

/*
 * The two ends of the orbit sum, each as one custom-gradient node while a tape records (plain ops otherwise). Their
 * gradients are those of the taped ops, value for value, without the copies each op saves and the reshapes in its
 * gradient (a rollout evaluates both at every stage: five launches fewer per evaluation). Neither gradient saves
 * anything, so both differentiate again to any order.
 */

/** [q; −q] ([2 rows, n]); gradient q̄ = ā − b̄ for the adjoint [ā; b̄] (the taped ā + (−b̄), which IEEE rounds alike). */
const orbitNode = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const q = args[0] as tf.Tensor2D;
  return {
    value: tf.concat([q, tf.neg(q)], 0),
    gradFunc: (dy: tf.Tensor) => {
      const [direct, reflected] = tf.split(dy, 2, 0);
      return [tf.sub(direct, reflected)];
    },
  };
});

function reflectionOrbit(q: tf.Tensor2D): tf.Tensor2D {
  return (recording() ? orbitNode(q) : tf.concat([q, tf.neg(q)], 0)) as tf.Tensor2D;
}

/**
 * F = −∂/∂q [V_net(q) + V_net(−q)] = g_− − g_+ from the input gradient [g_+; g_−] on [q; −q] (d/dq V_net(−q) =
 * −∇V_net(−q): the reflected copy's gradient enters with a minus sign); gradient [−F̄; F̄].
 */
const orbitForceNode = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [direct, reflected] = tf.split(args[0] as tf.Tensor2D, 2, 0);
  return { value: tf.sub(reflected, direct), gradFunc: (dy: tf.Tensor) => [tf.concat([tf.neg(dy), dy], 0)] };
});

function orbitForce(inputGradient: tf.Tensor2D): tf.Tensor2D {
  if (recording()) return orbitForceNode(inputGradient) as tf.Tensor2D;
  const [direct, reflected] = tf.split(inputGradient, 2, 0);
  return tf.sub(reflected, direct) as tf.Tensor2D;
}

/** q: [rows, n], etaRows: [rows, dη] -> { energy V: [rows, 1], force F = −∂V/∂q: [rows, n] } */
export function potentialAndForce(
  s: ConservativeForceSpec,
  net: MlpParams,
  q: tf.Tensor2D,
  etaRows: tf.Tensor2D,
): { energy: tf.Tensor2D; force: tf.Tensor2D } {
  const { energy, force } = orbitEvaluator(s, net, etaRows)(q);
  return { energy, force };
}

/** The first-order field on x = (q, v): ẋ = (v, F(q, η)/m). x: [rows, 2n] -> [rows, 2n] */
export function conservativeVectorField(s: ConservativeForceSpec, net: MlpParams, etaRows: tf.Tensor2D): TensorVectorField {
  const n = s.positionDim;
  const evaluate = orbitEvaluator(s, net, etaRows);
  return (_t, x) => {
    // One split into q and v rather than two slices: the same values, and on the tape one node that saves nothing,
    // whose gradient is one concat (a slice's is a pad, and the two pads are then added).
    const [q, v] = tf.split(x, [n, n], 1) as tf.Tensor2D[];
    const { force } = evaluate(q);
    return tf.concat([v, s.mass === 1 ? force : (tf.div(force, s.mass) as tf.Tensor2D)], 1);
  };
}
