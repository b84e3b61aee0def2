/**
 * Two gas containers (TGC) of Paper B v1 (structure-preserving meta-learning, spec §2.4), after Shang & Öttinger
 * (2020) and the GFINNs data code: a piston at position q ∈ (0, 2) with momentum p separates two ideal gases with
 * entropies S1, S2; heat flows through the piston until the temperatures agree. State x = (q, p, S1, S2),
 * parameters μ = {alpha, m} (heat conductivity, piston mass), with N k_B = ĉ = 1 as in GFINNs:
 *
 *   E1 = (e^{S1/(N k_B)} / (ĉ q))^{2/3},   E2 = (e^{S2/(N k_B)} / (ĉ (2 − q)))^{2/3},
 *   E(x) = p²/(2m) + E1 + E2,   S(x) = S1 + S2,   T_i = ∂E/∂S_i = (2/3) E_i,
 *   q̇ = p/m,   ṗ = (2/3)(E1/q − E2/(2 − q)),   Ṡ1 = (9α/(4E1))(1/E1 − 1/E2),   Ṡ2 = −(9α/(4E2))(1/E1 − 1/E2).
 *
 * GENERIC: ẋ = L∇E + M∇S with L canonical on (q, p) and zero on (S1, S2), and M = α w wᵀ, w = (0, 0, 1/T1, −1/T2).
 * L∇S = 0 because ∇S = (0, 0, 1, 1); M∇E = 0 because w·∇E = T1/T1 − T2/T2 = 0. Hence Ė = 0 and
 * Ṡ = ∇S·M∇S = α (1/T1 − 1/T2)² ≥ 0. The energy is very nonlinear in q and S (the paper's reason for the case).
 *
 * Parameter box α ∈ [5, 15], m ∈ [0.5, 2] (the GFINNs reference is α = 10, m = 1). Initial states as in GFINNs:
 * x0 = (1, 0, 2, 2) + u ⊙ (0.8, 1, 1, 1), u ~ U(−1, 1)⁴, so q0 ∈ (0.2, 1.8). The flow keeps q inside (0, 2)
 * because E1 → ∞ as q → 0 and E2 → ∞ as q → 2 while E is conserved; a state outside is rejected (DataError) rather
 * than turned into NaNs.
 */
import { DataError } from '../core/errors';
import { Rng } from '../core/rng';
import type { State } from '../core/state';
import { GenericParts } from './dampedOscillator';
import { System } from './types';

export type TwoGasContainersParams = { alpha: number; m: number };

/**
 * where ε_field and the field plots look, for `vectorFieldGrid`: the spec's slice S1 = S2 = 2 over (q, p), with q
 * over the range of the sampled q0 (0.2, 1.8) (trajectories stay within it) and p ∈ [−2, 2] as for the other systems
 */
export const fieldGrid = { box: [[0.2, 1.8], [-2, 2]], fixed: [2, 2] } as const;

/** the internal energies (E1, E2) of the two gases, with N k_B = ĉ = 1 (so T_i = (2/3)E_i exactly) */
function gasEnergies(x: State): [number, number] {
  const q = x[0];
  if (!(q > 0 && q < 2)) {
    throw new DataError(`twoGasContainers: the piston position q = x[0] must lie in (0, 2), got ${q}`);
  }
  const e1 = Math.pow(Math.exp(x[2]) / q, 2 / 3);
  const e2 = Math.pow(Math.exp(x[3]) / (2 - q), 2 / 3);
  return [e1, e2];
}

/** E = p²/(2m) + E1 + E2 */
export function energy(x: State, { m }: TwoGasContainersParams): number {
  const [e1, e2] = gasEnergies(x);
  return (x[1] * x[1]) / (2 * m) + e1 + e2;
}

/** S = S1 + S2 */
export function entropy(x: State): number {
  return x[2] + x[3];
}

export function genericParts(x: State, { alpha, m }: TwoGasContainersParams): GenericParts {
  const q = x[0];
  const [e1, e2] = gasEnergies(x);
  const [t1, t2] = [(2 / 3) * e1, (2 / 3) * e2];
  const w = [0, 0, 1 / t1, -1 / t2];
  return {
    L: [
      [0, 1, 0, 0],
      [-1, 0, 0, 0],
      [0, 0, 0, 0],
      [0, 0, 0, 0],
    ],
    M: w.map((wi) => w.map((wj) => alpha * (wi * wj))), // (wi·wj) first: exactly symmetric in floating point
    // ∂E_i/∂q = ∓(2/3)E_i/(distance to the wall), from E_i ∝ volume^(−2/3)
    gradE: Float64Array.of((-2 / 3) * (e1 / q - e2 / (2 - q)), x[1] / m, t1, t2),
    gradS: Float64Array.of(0, 0, 1, 1),
  };
}

export const twoGasContainers: System<TwoGasContainersParams> = {
  name: 'twoGasContainers',
  stateDim: 4,
  paramNames: ['alpha', 'm'],
  vectorField(x: State, { alpha, m }: TwoGasContainersParams): State {
    const q = x[0];
    const [e1, e2] = gasEnergies(x);
    const heatFlow = 1 / e1 - 1 / e2;
    return Float64Array.of(
      x[1] / m,
      (2 / 3) * (e1 / q - e2 / (2 - q)),
      ((9 * alpha) / (4 * e1)) * heatFlow,
      (-(9 * alpha) / (4 * e2)) * heatFlow,
    );
  },
  energy,
  sampleState(rng: Rng): State {
    const centre = [1, 0, 2, 2];
    const halfWidth = [0.8, 1, 1, 1];
    return Float64Array.from(centre, (ci, i) => ci + halfWidth[i] * rng.uniformIn(-1, 1));
  },
  paramBox: { alpha: [5, 15], m: [0.5, 2] },
};
