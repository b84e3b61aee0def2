/**
 * A Levenberg–Marquardt step on the adaptation parameters η of every task at once (our alternative to the authors'
 * inner SGD step, `optimizer: 'levenberg-marquardt'`).
 *
 * The inner loss of task k is a mean of squared residuals, L_k(η) = |r_k(η)|²/n_k with r_k = rollout − data, and
 * η has few dimensions, so the Gauss–Newton model of L_k is cheap and accurate:
 *   Δη_k = −(J_kᵀJ_k + λ_k diag(J_kᵀJ_k))⁻¹ J_kᵀ r_k,   J_k = ∂r_k/∂η_k,
 * with Marquardt's damping λ_k: a trial that lowers the loss is accepted and λ_k ← λ_k/10, otherwise λ_k ← 10 λ_k and
 * the step is retried (up to `maxRetries` times; a task with no accepted trial keeps its η). Unlike a fixed-rate
 * gradient step it is invariant to how the network scales η, which is what makes 5 steps enough.
 *
 * J_k comes from forward differences, J_k[:, j] ≈ (r_k(η_k + ε_j e_j) − r_k(η_k))/ε_j, with the dη perturbed copies
 * of every row rolled out in the SAME batch as the unperturbed rows: the copies then share one adaptive step
 * sequence, and the difference is not polluted by different dopri5 steps. No backward pass is needed.
 */
import * as tf from '@tensorflow/tfjs';
import { lusolve } from 'mathjs';
import { odeint, type OdeintOptions } from '../nn/odeint';
import { type FieldFactory, type TaskBatch, perTaskLoss } from './taskBatch';

/** relative forward-difference step: ε_j = FD_STEP · max(1, |η_j|) */
const FD_STEP = 1e-3;
export const INITIAL_DAMPING = 1e-3;

/** The task of each row, read from the one-hot membership matrix. */
function tasksOfRows(batch: TaskBatch): Int32Array {
  const [rows, tasks] = batch.membership.shape;
  const oneHot = batch.membership.dataSync();
  const out = new Int32Array(rows);
  for (let r = 0; r < rows; r++) for (let k = 0; k < tasks; k++) if (oneHot[r * tasks + k] === 1) out[r] = k;
  return out;
}

/** Per task: the Gauss–Newton matrix JᵀJ, the gradient-like Jᵀr, and the loss |r|²/n, from one batched rollout. */
function gaussNewtonSystems(
  makeField: FieldFactory,
  params: readonly tf.Tensor[],
  eta: number[][],
  batch: TaskBatch,
  solver: OdeintOptions,
): { G: number[][][]; b: number[][]; losses: number[]; counts: number[] } {
  const tasks = eta.length;
  const dEta = eta[0].length;
  const [T, rows, d] = batch.targets.shape;
  const taskOf = tasksOfRows(batch);
  const eps = eta.map((e) => e.map((v) => FD_STEP * Math.max(1, Math.abs(v))));
  // Rows of copy c: c = 0 unperturbed, c = j + 1 with η_j + ε_j.
  const etaRows = new Float32Array((dEta + 1) * rows * dEta);
  for (let c = 0; c <= dEta; c++) {
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < dEta; j++) {
        const k = taskOf[r];
        etaRows[(c * rows + r) * dEta + j] = eta[k][j] + (c === j + 1 ? eps[k][j] : 0);
      }
    }
  }
  const pred = tf.tidy(() => {
    const x0 = tf.tile(batch.x0, [dEta + 1, 1]) as tf.Tensor2D;
    return odeint(makeField(params, tf.tensor2d(etaRows, [(dEta + 1) * rows, dEta])), x0, batch.ts, solver).dataSync();
  });
  const y = batch.targets.dataSync();
  const G = Array.from({ length: tasks }, () => Array.from({ length: dEta }, () => new Array<number>(dEta).fill(0)));
  const b = Array.from({ length: tasks }, () => new Array<number>(dEta).fill(0));
  const sse = new Array<number>(tasks).fill(0);
  const count = new Array<number>(tasks).fill(0);
  const jac = new Array<number>(dEta);
  const width = (dEta + 1) * rows;
  for (let t = 0; t < T; t++) {
    for (let r = 0; r < rows; r++) {
      const k = taskOf[r];
      for (let c = 0; c < d; c++) {
        const base = pred[(t * width + r) * d + c];
        const residual = base - y[(t * rows + r) * d + c];
        sse[k] += residual * residual;
        count[k] += 1;
        for (let j = 0; j < dEta; j++) jac[j] = (pred[(t * width + (j + 1) * rows + r) * d + c] - base) / eps[k][j];
        for (let j = 0; j < dEta; j++) {
          b[k][j] += jac[j] * residual;
          for (let l = 0; l < dEta; l++) G[k][j][l] += jac[j] * jac[l];
        }
      }
    }
  }
  return { G, b, losses: sse.map((s, k) => s / count[k]), counts: count };
}

/**
 * Share of the largest diagonal entry below which a direction's damping is floored (see dampedStep).
 * With one η dimension the floor is the entry itself, so the step is Marquardt's exactly.
 */
const DIAGONAL_FLOOR = 1e-2;

/**
 * Δ = −(G + λ D)⁻¹ b with D_jj = max(G_jj, DIAGONAL_FLOOR · max_l G_ll) and a tiny absolute floor that keeps a flat
 * direction (zero column of J) solvable. Marquardt's D = diag(G) alone lets a direction the loss barely sees (an
 * unused dimension of an over-provisioned η) take a step of size |b_j| / (λ G_jj), unbounded as G_jj → 0, which
 * throws η far out of the range the network was trained on; the floor damps such directions like the strongest.
 */
function dampedStep(G: number[][], b: number[], lambda: number): number[] {
  const floor = DIAGONAL_FLOOR * Math.max(...G.map((row, j) => row[j]));
  const A = G.map((row, j) => row.map((v, l) => (j === l ? v + lambda * Math.max(v, floor) + 1e-12 : v)));
  const x = lusolve(A, b.map((v) => -v)) as number[][];
  return x.map((row) => row[0]);
}

/** Δ scaled down to norm `radius` when longer (a trust region; the direction is kept). */
export function clipStep(step: readonly number[], radius: number): number[] {
  const norm = Math.hypot(...step);
  return norm > radius ? step.map((v) => (v * radius) / norm) : [...step];
}

/**
 * A proximal term γ|η − a_k|² added to task k's loss, pulling η toward its anchor a_k (the start of adaptation). With
 * η over-provisioned, directions the data do not constrain then stay at the anchor instead of drifting with noise,
 * so the adapted codes of a p-parameter family lie near a p-dimensional set (iMAML's proximal regulariser, Rajeswaran
 * et al. 2019). In the Gauss–Newton system of L_k = |r_k|²/n_k + γ|η − a_k|² (scaled by n_k) it adds γ n_k I to
 * JᵀJ and γ n_k (η − a_k) to Jᵀr.
 */
export interface ProximalTerm {
  /** a_k per task: [tasks][dη] */
  anchor: number[][];
  /** γ ≥ 0 */
  weight: number;
}

function proximalPenalty(eta: readonly number[], anchor: readonly number[], weight: number): number {
  return weight === 0 ? 0 : weight * eta.reduce((sum, v, j) => sum + (v - anchor[j]) ** 2, 0);
}

/**
 * One damped Gauss–Newton step for every task, of length at most `maxStepNorm`, on the loss plus the optional
 * proximal term. eta: [tasks, dη]; `damping` (one λ per task) is updated in place. Returns the new η (caller owns it)
 * and the per-task data losses (without the proximal term) at the given η.
 */
export function levenbergMarquardtStep(
  makeField: FieldFactory,
  params: readonly tf.Tensor[],
  eta: tf.Tensor2D,
  batch: TaskBatch,
  solver: OdeintOptions,
  damping: Float64Array,
  maxRetries: number,
  maxStepNorm = Infinity,
  proximal: ProximalTerm | null = null,
): { eta: tf.Tensor2D; losses: number[] } {
  const current = eta.arraySync() as number[][];
  const system = gaussNewtonSystems(makeField, params, current, batch, solver);
  const { losses } = system;
  const weight = proximal ? proximal.weight : 0;
  const anchorOf = (k: number) => (proximal ? proximal.anchor[k] : current[k]);
  const G = system.G.map((Gk, k) => Gk.map((row, j) => row.map((v, l) => (j === l ? v + weight * system.counts[k] : v))));
  const b = system.b.map((bk, k) => bk.map((v, j) => v + weight * system.counts[k] * (current[k][j] - anchorOf(k)[j])));
  const objective = (k: number, loss: number, e: readonly number[]) => loss + proximalPenalty(e, anchorOf(k), weight);
  const next = current.map((e) => e.slice());
  const open = new Set(current.map((_, k) => k));
  for (let attempt = 0; attempt <= maxRetries && open.size > 0; attempt++) {
    const trial = current.map((e, k) => {
      if (!open.has(k)) return next[k];
      const step = clipStep(dampedStep(G[k], b[k], damping[k]), maxStepNorm);
      return e.map((v, j) => v + step[j]);
    });
    const trialLosses = tf.tidy(() => perTaskLoss(makeField, params, tf.tensor2d(trial), batch, solver).dataSync());
    for (const k of [...open]) {
      if (objective(k, trialLosses[k], trial[k]) < objective(k, losses[k], current[k])) {
        next[k] = trial[k];
        damping[k] = Math.max(damping[k] / 10, 1e-9);
        open.delete(k);
      } else {
        damping[k] *= 10;
      }
    }
  }
  return { eta: tf.tensor2d(next), losses };
}
