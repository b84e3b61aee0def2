/**
 * iMODE's model for the (substitute, reduced-order planar) Slinky: a Euclidean-symmetric energy network in the
 * style of the ESNN (spec §2.3), conditioned on per-instance adaptation parameters η, with the known physics
 * (gravity, inertia, the clamp) as a fixed "physics layer".
 *
 * Positions q = (x_i, y_i, α_i), i = 0 … N − 1, cycle-major as in src/systems/slinky.ts. Link i (cycles i − 1 → i)
 * has (Δx, Δy) = (x_i − x_{i−1}, y_i − y_{i−1}), bisector angle β = (α_{i−1} + α_i)/2 and relative coordinates
 *   ξ = cos β Δx + sin β Δy,   η_s = −sin β Δx + cos β Δy,   θ = α_i − α_{i−1},
 * which a rigid translation, or a rotation by φ of the positions with every α + φ, leaves unchanged.
 * Elastic energy (link-based, because the substitute's true energy is a sum over links; the ESNN sums over triples):
 *   E(q; η) = c_E Σ_links Σ_{g ∈ G} e_net(s ⊙ g ⊙ (ξ, η_s, θ), η),
 * s a fixed input scale, c_E a fixed energy unit, e_net a scalar MLP. G is the ESNN's chirality module written on
 * one link: the x-reflection (x → −x, α → −α, the simulator's convention) maps a link to (−ξ, η_s, −θ), the chain
 * reversal (cycle i ↔ N − 1 − i, α kept) maps link i to link N − i with (−ξ, −η_s, −θ), so the sign patterns
 *   G = {(+,+,+), (−,+,−), (−,−,−), (+,−,+)}
 * form the group these generate; summing over the orbit makes E exactly invariant under both, whatever the weights.
 * (With chirality off, G = {(+,+,+)}.)
 * Forces F = −∂E/∂q by the analytic input gradient of the MLP and the chain rule, never by nested autodiff (tfjs's
 * second-order gradients through softplus/sigmoid are wrong): per link, with e = c_E Σ_g e_net(…),
 *   e_z = c_E Σ_g g ⊙ s ⊙ ∇e_net(s ⊙ g ⊙ z),   z = (ξ, η_s, θ),
 *   ∂e/∂Δx = e_ξ cos β − e_η sin β,   ∂e/∂Δy = e_ξ sin β + e_η cos β,   ∂e/∂θ = e_θ,   ∂e/∂β = e_ξ η_s − e_η ξ,
 * (since ∂ξ/∂β = η_s, ∂η_s/∂β = −ξ). (Δx, Δy, θ, β) of all links is one fixed linear map L = q A, so ∂E/∂q =
 * (∂E/∂L) Aᵀ, which with ∂β/∂α = ½ is the simulator's ∂e/∂α_{i or i−1} = ½ (e_ξ η_s − e_η ξ) ± e_θ.
 * Dynamics: total potential E + Σ m g y_i, so ẍ_i = F_x/m, ÿ_i = F_y/m − g, α̈_i = F_α/J, with m, J, g passed in
 * (ChainPhysics: the system's constants, SLINKY_PHYSICS of ../systems/slinky.ts for the substitute Slinky).
 * A clamped top cycle gets a zero time derivative (position and velocity parts), as in the simulator.
 *
 * Every row carries its own η, all links of all rows go through the MLP as one batch, and links are gathered and
 * their forces scattered back with the fixed matrix A (wasm has no gradient for tf.gather), so that a whole
 * meta-batch is one rollout and every op has a first-order tfjs gradient on cpu and wasm.
 */
import * as tf from '@tensorflow/tfjs';
import { ConfigError } from '../core/errors';
import { conditionMlp, conditionedValueAndInputGradient } from './conditionedMlp';
import type { MlpParams, MlpSpec } from './mlp';
import { matMul } from './ops';
import type { TensorVectorField } from './odeint';

export type ChainBoundary = 'clamped' | 'free';
const BOUNDARIES: readonly ChainBoundary[] = ['clamped', 'free'];

export interface ChainEnergySpec {
  /** N, the number of cycles (N ≥ 2; the state has 6N entries) */
  cycles: number;
  etaDim: number;
  /** width of every hidden layer */
  width: number;
  /** number of [Linear, Softplus] blocks after the first (activation-free) linear layer */
  depth: number;
  /** Softplus sharpness β */
  beta: number;
  /** 'clamped' holds the top cycle (cycle 0) fixed, as the simulator's default */
  boundary: ChainBoundary;
  /** sum the link energy over the reflection/reversal group G (the ESNN's chirality module) */
  chirality: boolean;
  /** s, multiplying (ξ, η_s, θ) before the MLP */
  inputScale: readonly [number, number, number];
  /** c_E, J, multiplying the MLP output */
  energyScale: number;
}

/** The known physics layer: a cycle's mass m (kg) and moment of inertia J (kg·m²), and gravity g (m/s², along −y). */
export interface ChainPhysics {
  mass: number;
  inertia: number;
  gravity: number;
}

/**
 * Scales for the substitute Slinky, from its rollouts (1 s from sampleState over the parameter box, 12 instances):
 * ξ = 2.0 cm ± 5 mm (1.1 … 3.3 cm), η_s RMS 1.2 mm, θ RMS 0.15 rad; per cycle, RMS elastic force 0.027 N (mostly
 * carrying the weight below) and torque 1.2e-4 N·m.
 * - s = (1e2, 1e3, 1e1) per m, m, rad puts each input near 1 at its typical size (ξ cannot be centred on the rest
 *   pitch: G negates it).
 * - c_E = 1e-3 J. Only ∇E is observed, so c_E is set by forces, not by the link energies: a cycle's force is the
 *   difference of its two links' c_E s ∇e_net, which nearly cancel for an untrained smooth network. Untrained
 *   (width 32, depth 2, seeds 1–4, sampled states) this gives RMS force 0.047 N and torque 4.2e-4 N·m, of the
 *   truth's order; c_E = 1e-2 gave 0.47 N and 4.2e-3 N·m. (1e-2 was the scale of the first, stiffer box, whose
 *   forces were 0.14 N.)
 */
export const SLINKY_INPUT_SCALE: readonly [number, number, number] = [1e2, 1e3, 1e1];
export const SLINKY_ENERGY_SCALE = 1e-3;

/** The sign patterns of G on (ξ, η_s, θ); the first is the identity, the only one used without chirality. */
const CHIRALITY_GROUP: readonly (readonly [number, number, number])[] = [
  [1, 1, 1],
  [-1, 1, -1],
  [-1, -1, -1],
  [1, -1, 1],
];

function validateSpec(s: ChainEnergySpec): void {
  for (const k of ['cycles', 'etaDim', 'width', 'depth'] as const) {
    const min = k === 'cycles' ? 2 : k === 'depth' ? 0 : 1;
    if (!Number.isInteger(s[k]) || s[k] < min) throw new ConfigError(`${k} must be an integer ≥ ${min}, got ${s[k]}`);
  }
  if (!(s.beta > 0)) throw new ConfigError(`beta must be > 0, got ${s.beta}`);
  if (!BOUNDARIES.includes(s.boundary)) throw new ConfigError(`boundary must be one of ${BOUNDARIES.join(', ')}, got '${s.boundary}'`);
  if (typeof s.chirality !== 'boolean') throw new ConfigError(`chirality must be true or false, got ${s.chirality}`);
  if (s.inputScale.length !== 3 || !s.inputScale.every((v) => v > 0 && Number.isFinite(v))) {
    throw new ConfigError(`inputScale must be three finite numbers > 0 (for ξ, η_s, θ), got [${s.inputScale.join(', ')}]`);
  }
  if (!(s.energyScale > 0 && Number.isFinite(s.energyScale))) throw new ConfigError(`energyScale must be a finite number > 0, got ${s.energyScale}`);
}

/** The link energy network: Linear(3+dη → w), depth × [Linear(w → w), Softplus(β)], Linear(w → 1, no bias), as the authors' iMODE potential. */
export function chainEnergyMlpSpec(s: ChainEnergySpec): MlpSpec {
  validateSpec(s);
  return {
    sizes: [3 + s.etaDim, ...Array<number>(s.depth + 1).fill(s.width), 1],
    activations: [{ kind: 'identity' }, ...Array(s.depth).fill({ kind: 'softplus', beta: s.beta }), { kind: 'identity' }],
    biases: [...Array<boolean>(s.depth + 1).fill(true), false],
  };
}

/** A: [3N, 4(N − 1)] with q A = (Δx, Δy, θ, β) of links 1 … N − 1, link-major. */
function linkMatrix(cycles: number): Float32Array {
  const cols = 4 * (cycles - 1);
  const a = new Float32Array(3 * cycles * cols);
  const set = (row: number, col: number, v: number) => {
    a[row * cols + col] = v;
  };
  for (let i = 1; i < cycles; i++) {
    const [p, c, l] = [3 * (i - 1), 3 * i, 4 * (i - 1)];
    for (let d = 0; d < 3; d++) {
      set(c + d, l + d, 1);
      set(p + d, l + d, -1);
    }
    set(c + 2, l + 3, 0.5);
    set(p + 2, l + 3, 0.5);
  }
  return a;
}

/**
 * x ↦ x m for a constant m, whose gradient dy mᵀ uses a precomputed mᵀ and saves one tensor: the built-in matMul
 * gradient would also form the (unused) gradient for m and, on wasm, use the slow transposed kernel.
 */
function fixedLinearMap(m: tf.Tensor2D, mTransposed: tf.Tensor2D): (x: tf.Tensor2D) => tf.Tensor2D {
  const node = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [x, save] = args as [tf.Tensor2D, tf.GradSaveFunc];
    // The transpose is saved rather than closed over: a closure would see it disposed when the forward pass was
    // run inside the tidy of tf.grads.
    save([mTransposed]);
    return { value: tf.matMul(x, m), gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => matMul(dy as tf.Tensor2D, saved[0] as tf.Tensor2D) };
  });
  return (x) => node(x) as tf.Tensor2D;
}

/**
 * E and F = −∂E/∂q with the MLP conditioned once on η (reused by every call, e.g. every stage of a rollout).
 * Returns q: [rows, 3N] -> { energy: [rows, 1] (built only when read), force: [rows, 3N] }.
 */
function chainEvaluator(s: ChainEnergySpec, net: MlpParams, etaRows: tf.Tensor2D) {
  const spec = chainEnergyMlpSpec(s);
  if (etaRows.rank !== 2 || etaRows.shape[1] !== s.etaDim) {
    throw new ConfigError(`etaRows must be [rows, etaDim = ${s.etaDim}], got [${etaRows.shape.join(', ')}]`);
  }
  const rows = etaRows.shape[0];
  const links = s.cycles - 1;
  const linkCount = rows * links;
  const group = s.chirality ? CHIRALITY_GROUP : CHIRALITY_GROUP.slice(0, 1);
  const aTensor = tf.tensor2d(linkMatrix(s.cycles), [3 * s.cycles, 4 * links]);
  const aTransposed = tf.transpose(aTensor) as tf.Tensor2D;
  const toLinks = fixedLinearMap(aTensor, aTransposed);
  // The force is −(∂E/∂L) Aᵀ: the minus sign lives in the constant.
  const negATransposed = tf.neg(aTransposed) as tf.Tensor2D;
  const toCycles = fixedLinearMap(negATransposed, tf.neg(aTensor) as tf.Tensor2D);
  // g ⊙ s per group element, [|G|, 1, 3]: maps z to the MLP input, and (times c_E) ∇e_net back to e_z.
  const inputMaps = tf.tensor3d(group.map((g) => [g.map((v, k) => v * s.inputScale[k])]), [group.length, 1, 3]);
  const gradientMaps = tf.mul(inputMaps, s.energyScale);
  // One η row per (group element, row, link), in the order of the MLP batch; a broadcasting mul rather than tf.tile,
  // whose gradient costs a slice and an add per copy.
  const condition = tf.reshape(
    tf.mul(tf.reshape(etaRows, [1, rows, 1, s.etaDim]), tf.ones([group.length, 1, links, 1])),
    [group.length * linkCount, s.etaDim],
  ) as tf.Tensor2D;
  const mlp = conditionMlp(spec, net, condition);

  return (q: tf.Tensor2D): { energy: tf.Tensor2D; force: tf.Tensor2D } => {
    if (q.rank !== 2 || q.shape[1] !== 3 * s.cycles || q.shape[0] !== rows) {
      throw new ConfigError(`positions q must be [rows = ${rows}, 3·cycles = ${3 * s.cycles}], got [${q.shape.join(', ')}]`);
    }
    const [dx, dy, theta, beta] = tf.split(tf.reshape(toLinks(q), [linkCount, 4]), 4, 1) as tf.Tensor2D[];
    const cos = tf.cos(beta);
    const sin = tf.sin(beta);
    const xi = tf.add(tf.mul(cos, dx), tf.mul(sin, dy));
    const etaS = tf.sub(tf.mul(cos, dy), tf.mul(sin, dx));
    const z = tf.concat([xi, etaS, theta], 1);
    const u = tf.reshape(tf.mul(tf.reshape(z, [1, linkCount, 3]), inputMaps), [group.length * linkCount, 3]) as tf.Tensor2D;
    const { value, inputGradient } = conditionedValueAndInputGradient(mlp, u);
    const ez = tf.sum(tf.mul(tf.reshape(inputGradient, [group.length, linkCount, 3]), gradientMaps), 0);
    const [eXi, eEta, eTheta] = tf.split(ez, 3, 1);
    const eDx = tf.sub(tf.mul(eXi, cos), tf.mul(eEta, sin));
    const eDy = tf.add(tf.mul(eXi, sin), tf.mul(eEta, cos));
    const eBeta = tf.sub(tf.mul(eXi, etaS), tf.mul(eEta, xi));
    const force = toCycles(tf.reshape(tf.concat([eDx, eDy, eTheta, eBeta], 1), [rows, 4 * links]) as tf.Tensor2D);
    return {
      get energy() {
        return tf.mul(tf.sum(tf.reshape(value, [group.length, rows, links]), [0, 2]).reshape([rows, 1]), s.energyScale) as tf.Tensor2D;
      },
      force,
    };
  };
}

/** q: [rows, 3N] positions (x, y, α per cycle), etaRows: [rows, dη] -> elastic energy [rows, 1] and −∂E/∂q [rows, 3N] */
export function chainEnergyAndForce(
  s: ChainEnergySpec,
  net: MlpParams,
  q: tf.Tensor2D,
  etaRows: tf.Tensor2D,
): { energy: tf.Tensor2D; force: tf.Tensor2D } {
  const { energy, force } = chainEvaluator(s, net, etaRows)(q);
  return { energy, force };
}

/**
 * The first-order field on the state in the simulator's layout, x[6i .. 6i + 5] = (x_i, y_i, α_i, ẋ_i, ẏ_i, α̇_i):
 * ẋ = (velocities, (F_x/m, F_y/m − g, F_α/J) per cycle), zero for a clamped top cycle. x: [rows, 6N] -> [rows, 6N]
 */
export function chainVectorField(s: ChainEnergySpec, net: MlpParams, etaRows: tf.Tensor2D, physics: ChainPhysics): TensorVectorField {
  const evaluate = chainEvaluator(s, net, etaRows);
  const n = s.cycles;
  const { mass, inertia, gravity } = physics;
  const clamped = s.boundary === 'clamped';
  const held = (i: number) => clamped && i === 0;
  // Per cycle and coordinate: 1/m, 1/m, 1/J and the gravity term, both zero on a clamped top cycle, so its
  // acceleration is exactly zero whatever the network says.
  const perCycle = (f: (k: number) => number) =>
    tf.tensor3d(Array.from({ length: n }, (_, i) => [0, 1, 2].map((k) => (held(i) ? 0 : f(k)))).flat(), [1, n, 3]);
  const inverseMass = perCycle((k) => (k === 2 ? 1 / inertia : 1 / mass));
  const weight = perCycle((k) => (k === 1 ? -gravity : 0));
  const moving = clamped ? tf.tensor3d(Array.from({ length: n }, (_, i) => (held(i) ? 0 : 1)), [1, n, 1]) : null;
  return (_t, x) => {
    if (x.rank !== 2 || x.shape[1] !== 6 * n) {
      throw new ConfigError(`chain state must be [rows, 6·cycles = ${6 * n}] (x, y, α and their rates per cycle), got [${x.shape.join(', ')}]`);
    }
    const rows = x.shape[0];
    if (rows !== etaRows.shape[0]) throw new ConfigError(`chain state has ${rows} rows but etaRows has ${etaRows.shape[0]}: one η per row`);
    const cyclesView = tf.reshape(x, [rows, n, 6]);
    const q = tf.reshape(tf.slice(cyclesView, [0, 0, 0], [-1, -1, 3]), [rows, 3 * n]) as tf.Tensor2D;
    const v = tf.slice(cyclesView, [0, 0, 3], [-1, -1, 3]);
    const { force } = evaluate(q);
    const acceleration = tf.add(tf.mul(tf.reshape(force, [rows, n, 3]), inverseMass), weight);
    return tf.reshape(tf.concat([moving ? tf.mul(v, moving) : v, acceleration], 2), [rows, 6 * n]) as tf.Tensor2D;
  };
}
