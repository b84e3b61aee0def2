/**
 * The benchmark workloads of issue 8, built from the project's own modules, shared by `npm run bench` and the parity
 * test against the PyTorch reference (bench/torch_workloads.py computes the same functions from the same weights).
 *
 *   hnn            H = MLP 2→100→100→100→100→1 (tanh), batch 256, L = mean_r ‖J∇H(x_r) − ẋ_r‖², Adam
 *   hnn-rank1      the same H with a rank-one modulation of every hidden layer from a linear hypernetwork,
 *                  m = zΦ + φ₀, one latent z ∈ ℝ¹⁰ per sample; Adam on base, Φ, φ₀ and the latents
 *   imode-rk4      the iMODE authors' energy network (2→32, 4 × [32→32, Softplus β = 10], 32→1), reflection-
 *                  symmetric, F = −∂V/∂q, RK4 with dt = 0.01 over 100 steps, 20 windows of the L = 1 pendulum, MSE,
 *                  Adam on θ
 *   imode-fo5      5 first-order inner SGD steps on η (lr 0.1, the authors' |η|), the meta-gradient at the last
 *                  inner step's η (adaptEta, as the authors' code), Adam on θ
 *   imode-so5      the same inner loop differentiated through (second order): ∇_θ L(θ, η₅(θ)), Adam on θ
 *
 * A workload instance owns its tensors; `lossAndGrads` returns the loss and the gradient of every differentiated
 * tensor at the current weights (what the parity test compares), `step` is one full training step (loss, gradients,
 * Adam update, the loss read back to the host as `loss.item()` does), and `exportJson` writes the weights and inputs
 * the PyTorch side loads. The iMODE workloads are handed the pendulum experiment's model and trajectory by the caller
 * (ImodeWorkloadSetup; cli/benchWorkloadRuns.ts builds it), so bench/ knows no experiment.
 */
import * as tf from '@tensorflow/tfjs';
import { ConfigError } from '../core/errors';
import { type Rng, createRng } from '../core/rng';
import type { PendulumInstance } from '../data/imodePendulum';
import { type ImodeModel, adaptEta } from '../meta/imode';
import { type TaskBatch, disposeTaskBatch, perTaskLoss, windowBatch } from '../meta/taskBatch';
import { hamiltonianVectorField, modulatedHamiltonianField } from '../models/hnn';
import { type ModulatedMlpParams, initModulatedMlp, modulatedMlpFromTensors, modulatedMlpTensors } from '../modulation/modulatedMlp';
import { modulationSpec } from '../modulation/modulation';
import { type AdamState, adamInit, adamStep, disposeAdam } from '../nn/adam';
import { type ConservativeForceSpec, potentialMlpSpec } from '../nn/conservativeForce';
import { mlpValueAndInputGradient } from '../nn/inputGradient';
import { type MlpSpec, initMlp, mlpFromTensors, mlpTensors } from '../nn/mlp';
import type { TensorVectorField } from '../nn/odeint';

export type WorkloadName = 'hnn' | 'hnn-rank1' | 'imode-rk4' | 'imode-fo5' | 'imode-so5';
export const WORKLOAD_NAMES: readonly WorkloadName[] = ['hnn', 'hnn-rank1', 'imode-rk4', 'imode-fo5', 'imode-so5'];

export interface WorkloadInfo {
  name: WorkloadName;
  description: string;
  /** where the project's version differs from the issue's wording (the PyTorch reference follows the project) */
  differences: string;
  /** PyTorch 1.13 ms per step quoted by the issue on this machine, for context */
  issueTorchMs: number;
}

export interface WorkloadInstance {
  info: WorkloadInfo;
  /** the tensors differentiated, in the order of `lossAndGrads().grads` and of the exported `params` */
  params(): tf.Tensor[];
  /** loss and gradients at the current weights (caller disposes) */
  lossAndGrads(): { loss: tf.Scalar; grads: tf.Tensor[] };
  /** one training step; returns the loss read back to the host */
  step(): number;
  /** weights and inputs as plain arrays for bench/torch_workloads.py --check */
  exportJson(): WorkloadJson;
  dispose(): void;
}

export interface TensorRecord {
  shape: number[];
  values: number[];
}

export interface WorkloadJson {
  workload: WorkloadName;
  /** the differentiated tensors, in order */
  params: TensorRecord[];
  /** the inputs and constants the loss needs, by name */
  inputs: Record<string, TensorRecord>;
  /** scalars (learning rates, steps, sizes) */
  settings: Record<string, number | string>;
}

const record = (t: tf.Tensor): TensorRecord => ({ shape: t.shape.slice(), values: Array.from(t.dataSync()) });

export const ADAM_LR = 1e-3;

/** One Adam step over `params` in place of the instance's weights; shared by every workload. */
class Trainer {
  private adam: AdamState;
  constructor(public tensors: tf.Tensor[]) {
    this.adam = adamInit(tensors);
  }
  /** grads are consumed */
  update(grads: tf.Tensor[]): void {
    const next = adamStep(this.tensors, grads, this.adam, { lr: ADAM_LR });
    tf.dispose([...grads, ...this.tensors]);
    disposeAdam(this.adam);
    this.tensors = next.params;
    this.adam = next.state;
  }
  dispose(): void {
    tf.dispose(this.tensors);
    disposeAdam(this.adam);
  }
}

/** A training step from a loss-and-gradients function: read the loss back, update, and leave no tensor behind. */
function trainStep(trainer: Trainer, lossAndGrads: () => { loss: tf.Scalar; grads: tf.Tensor[] }): number {
  const { loss, grads } = lossAndGrads();
  const value = loss.dataSync()[0];
  loss.dispose();
  trainer.update(grads);
  return value;
}

// ---------------------------------------------------------------- HNN workloads

export const HNN_SIZES = [2, 100, 100, 100, 100, 1];
export const HNN_BATCH = 256;
export const HNN_LATENT = 10;

/**
 * The HNN's H: tanh hidden layers, no bias on the output layer (a loss on ∇H gives an output bias no gradient, and
 * tf.grads rejects a tensor without a path to the loss; PyTorch would return None for it).
 */
export function hnnMlpSpec(): MlpSpec {
  const layers = HNN_SIZES.length - 1;
  return {
    sizes: HNN_SIZES,
    activations: [...Array(layers - 1).fill({ kind: 'tanh' }), { kind: 'identity' }],
    biases: [...Array<boolean>(layers - 1).fill(true), false],
  };
}

/** States x ~ U(−1, 1)² and targets ẋ of a unit harmonic oscillator (q̇ = p, ṗ = −q), the HNN's toy task. */
function hnnData(rng: Rng): { x: tf.Tensor2D; xdot: tf.Tensor2D } {
  const x = new Float32Array(HNN_BATCH * 2);
  for (let i = 0; i < x.length; i++) x[i] = rng.uniformIn(-1, 1);
  const xdot = new Float32Array(HNN_BATCH * 2);
  for (let r = 0; r < HNN_BATCH; r++) {
    xdot[2 * r] = x[2 * r + 1];
    xdot[2 * r + 1] = -x[2 * r];
  }
  return { x: tf.tensor2d(x, [HNN_BATCH, 2]), xdot: tf.tensor2d(xdot, [HNN_BATCH, 2]) };
}

/** mean over rows of ‖pred − ẋ‖² */
function hnnLoss(pred: tf.Tensor2D, xdot: tf.Tensor2D): tf.Scalar {
  return tf.mean(tf.sum(tf.square(tf.sub(pred, xdot)), 1)) as tf.Scalar;
}

const HNN_INFO: WorkloadInfo = {
  name: 'hnn',
  description: 'HNN training step: H = MLP 2→100→100→100→100→1 (tanh), batch 256, loss mean ‖J∇H − ẋ‖², Adam',
  differences: '∂H/∂x is the analytic backward pass (mlpValueAndInputGradient), not autograd with create_graph; the output layer has no bias (it gets no gradient from a loss on ∇H)',
  issueTorchMs: 2.1,
};

/**
 * An HNN-loss workload: `field(ps)` builds the model's vector field from the trained tensors, the loss is hnnLoss on
 * the shared toy data.
 */
function hnnInstance(
  info: WorkloadInfo,
  tensors: tf.Tensor[],
  rng: Rng,
  field: (ps: tf.Tensor[]) => TensorVectorField,
  settings: WorkloadJson['settings'],
): WorkloadInstance {
  const trainer = new Trainer(tensors);
  const data = hnnData(rng);
  const lossAndGrads = () =>
    tf.tidy(() => {
      const { value, grads } = gradsOf(trainer.tensors, (ps) => hnnLoss(field(ps)(0, data.x), data.xdot));
      return { loss: value, grads };
    });
  return {
    info,
    params: () => trainer.tensors,
    lossAndGrads,
    step: () => trainStep(trainer, lossAndGrads),
    exportJson: () => ({
      workload: info.name,
      params: trainer.tensors.map(record),
      inputs: { x: record(data.x), xdot: record(data.xdot) },
      settings: { lr: ADAM_LR, activation: 'tanh', layers: HNN_SIZES.length - 1, ...settings },
    }),
    dispose: () => {
      trainer.dispose();
      tf.dispose([data.x, data.xdot]);
    },
  };
}

function hnnWorkload(seed: number): WorkloadInstance {
  const rng = createRng(seed);
  const spec = hnnMlpSpec();
  const tensors = mlpTensors(initMlp(spec, rng));
  return hnnInstance(HNN_INFO, tensors, rng, (ps) => {
    const p = mlpFromTensors(spec, ps);
    return hamiltonianVectorField(2, (x) => mlpValueAndInputGradient(spec, p, x).inputGradient);
  }, {});
}

/** Loss and gradients of f with respect to every tensor of `params` (all must reach the loss). */
function gradsOf(params: readonly tf.Tensor[], f: (ps: tf.Tensor[]) => tf.Scalar): { value: tf.Scalar; grads: tf.Tensor[] } {
  const { value, grads } = tf.valueAndGrads((...ps: tf.Tensor[]) => f(ps))(params as tf.Tensor[]);
  return { value: value as tf.Scalar, grads };
}

const RANK1_INFO: WorkloadInfo = {
  name: 'hnn-rank1',
  description: 'HNN training step with rank-one modulation (ro) of the 4 hidden layers from a linear hypernetwork, one latent z ∈ ℝ¹⁰ per sample, batch 256, Adam on base, Φ, φ₀ and the latents',
  differences: '∂H/∂x analytic (modulatedValueAndInputGradient); every modulated layer also gets the hypernetwork bias shift s = (zΦ + φ₀)[shift slot] (the project\'s ro kind); no output bias',
  issueTorchMs: 6.6,
};

function hnnRank1Workload(seed: number): WorkloadInstance {
  const rng = createRng(seed);
  const spec = modulationSpec(hnnMlpSpec(), 'ro', { latentDim: HNN_LATENT });
  const net = initModulatedMlp(spec, rng);
  const codes = new Float32Array(HNN_BATCH * HNN_LATENT);
  for (let i = 0; i < codes.length; i++) codes[i] = rng.normal();
  const tensors = [...modulatedMlpTensors(net), tf.tensor2d(codes, [HNN_BATCH, HNN_LATENT])];
  return hnnInstance(RANK1_INFO, tensors, rng, (ps) => {
    const p: ModulatedMlpParams = modulatedMlpFromTensors(spec, ps.slice(0, -1));
    return modulatedHamiltonianField(spec, p, { codes: ps[ps.length - 1] as tf.Tensor2D });
  }, { latentDim: HNN_LATENT, rank: 1 });
}

// ---------------------------------------------------------------- iMODE workloads

export const IMODE_WINDOWS = 20;
/** 101 points = 100 RK4 steps of dt = 0.01 */
export const IMODE_POINTS = 101;
export const IMODE_INNER_STEPS = 5;
/**
 * The second-order workload rolls out 50 steps (51 points) rather than 100: tfjs keeps one tape for all gradient
 * depths, so every evaluation's second-order intermediates stay alive until the outer backward pass, and at 100
 * steps they outgrow the wasm backend's 4 GB heap (20 windows × 50 steps peak at ≈ 2.2 GB). PyTorch runs the same size.
 */
export const IMODE_SO5_POINTS = 51;

/** What the iMODE workloads train: the pendulum experiment's model (cli/benchWorkloadRuns.ts: the authors', RK4) and a trajectory. */
export interface ImodeWorkloadSetup {
  /** the energy network's spec and field, the rollout solver and the inner loop */
  model: ImodeModel<ConservativeForceSpec>;
  /** the trajectory whose windows are the batch (the authors' L = 1) */
  trajectory: Pick<PendulumInstance, 'states' | 'dt'>;
}

const IMODE_DIFFERENCES =
  'F = −∂V/∂q is the analytic input gradient of the energy network (the authors use autograd with create_graph); the first layer 2→32 has no activation (the authors\' ODEFunc); η enters as |η| (the authors\' paper setting); the loss is the MSE over all 101 points (t = 0 included) as in the authors\' code';

const IMODE_INFO: Record<'imode-rk4' | 'imode-fo5' | 'imode-so5', WorkloadInfo> = {
  'imode-rk4': {
    name: 'imode-rk4',
    description: 'iMODE pendulum step: energy net 2→32→4×32→1 Softplus(β=10), reflection-symmetric, F = −∂V/∂q, RK4 dt 0.01 × 100 steps, batch 20 windows of L = 1, MSE, Adam on θ',
    differences: IMODE_DIFFERENCES,
    issueTorchMs: 210,
  },
  'imode-fo5': {
    name: 'imode-fo5',
    description: 'iMODE pendulum step after 5 first-order inner SGD steps on η (lr 0.1): meta-gradient ∇_θ L at the η of the last inner step (adaptEta), Adam on θ',
    differences: `${IMODE_DIFFERENCES}; 5 rollouts with backward passes in all (the meta-gradient comes from the 5th inner step's backward pass, as in the authors' code), where the issue's 1.2 s suggests 6`,
    issueTorchMs: 1200,
  },
  'imode-so5': {
    name: 'imode-so5',
    description: 'iMODE pendulum step, second order: η_{k+1} = η_k − 0.1 ∇_η L(θ, η_k) differentiated through, 5 inner steps, meta-loss L(θ, η₅), Adam on θ; 20 windows × 50 RK4 steps',
    differences: `${IMODE_DIFFERENCES}; the project trains first order only: this workload is built for the benchmark from perTaskLoss and nested tf.grad; windows of 50 steps instead of the issue's 100 (IMODE_SO5_POINTS: at 100 steps the exact second-order tape outgrows the 4 GB wasm heap), so the issue's 5.3 s corresponds to ≈ 2.6 s here`,
    issueTorchMs: 5300,
  },
};

/** A smaller iMODE workload (fewer windows, shorter windows), for quick parity checks; the benchmark uses the defaults. */
export interface WorkloadSize {
  windows?: number;
  points?: number;
}

function imodeWorkload(name: 'imode-rk4' | 'imode-fo5' | 'imode-so5', setup: ImodeWorkloadSetup, seed: number, size: WorkloadSize): WorkloadInstance {
  const windows = size.windows ?? IMODE_WINDOWS;
  const points = size.points ?? IMODE_POINTS;
  const { model, trajectory } = setup;
  const rng = createRng(seed);
  const batch: TaskBatch = windowBatch([trajectory], rng, windows, points);
  const spec = potentialMlpSpec(model.spec);
  const trainer = new Trainer(mlpTensors(initMlp(spec, rng)));
  const eta = tf.tensor2d([[rng.normal()]]);
  const loss = (ps: readonly tf.Tensor[], e: tf.Tensor2D) => tf.sum(perTaskLoss(model.makeField, ps, e, batch, model.solver)) as tf.Scalar;
  const lr = model.inner.lr;
  let lossAndGrads: () => { loss: tf.Scalar; grads: tf.Tensor[] };
  if (name === 'imode-rk4') {
    lossAndGrads = () =>
      tf.tidy(() => {
        const { value, grads } = gradsOf(trainer.tensors, (ps) => loss(ps, eta));
        return { loss: value, grads };
      });
  } else if (name === 'imode-fo5') {
    lossAndGrads = () => {
      const r = adaptEta(model.makeField, trainer.tensors, eta, batch, model.solver, model.inner, true);
      tf.dispose([r.eta, r.etaGrad as tf.Tensor]);
      return { loss: tf.scalar(r.losses[r.losses.length - 1][0]), grads: r.paramGrads as tf.Tensor[] };
    };
  } else {
    lossAndGrads = () =>
      tf.tidy(() => {
        const { value, grads } = gradsOf(trainer.tensors, (ps) => {
          let e = eta;
          for (let k = 0; k < IMODE_INNER_STEPS; k++) {
            // x.clone() inside the differentiated function keeps the inner gradient from also differentiating the
            // outer paths (perturbation confusion, toolchain.md §6).
            const g = tf.grad((ek: tf.Tensor) => loss(ps, tf.clone(ek) as tf.Tensor2D))(e);
            e = tf.sub(e, tf.mul(g, lr)) as tf.Tensor2D;
          }
          return loss(ps, e);
        });
        return { loss: value, grads };
      });
  }
  return {
    info: IMODE_INFO[name],
    params: () => trainer.tensors,
    lossAndGrads,
    step: () => trainStep(trainer, lossAndGrads),
    exportJson: () => ({
      workload: name,
      params: trainer.tensors.map(record),
      inputs: { eta: record(eta), x0: record(batch.x0), targets: record(batch.targets) },
      settings: {
        lr: ADAM_LR,
        innerLr: lr,
        innerSteps: IMODE_INNER_STEPS,
        dt: batch.ts[1] - batch.ts[0],
        beta: model.spec.beta,
        depth: model.spec.depth,
        etaTransform: model.spec.etaTransform,
        symmetry: model.spec.symmetry,
      },
    }),
    dispose: () => {
      trainer.dispose();
      eta.dispose();
      disposeTaskBatch(batch);
    },
  };
}

/** A fresh instance of a workload with weights and data drawn from `seed`; `imode` is called for the iMODE workloads only. */
export function createWorkload(name: WorkloadName, imode: () => ImodeWorkloadSetup, seed = 8, size: WorkloadSize = {}): WorkloadInstance {
  switch (name) {
    case 'hnn':
      return hnnWorkload(seed);
    case 'hnn-rank1':
      return hnnRank1Workload(seed);
    case 'imode-rk4':
    case 'imode-fo5':
      return imodeWorkload(name, imode(), seed, size);
    case 'imode-so5':
      return imodeWorkload(name, imode(), seed, { points: IMODE_SO5_POINTS, ...size });
    default:
      throw new ConfigError(`workload must be one of ${WORKLOAD_NAMES.join(', ')}, got '${String(name)}'`);
  }
}
