/**
 * A reduced-order planar Slinky: our SUBSTITUTE for iMODE's Slinky system. The authors' Slinky data (simulations of
 * a 76-cycle helix, spec §2.3) were never published, so this is a chain of N rigid cycles with a simple, known energy
 * that has exactly the symmetries the Euclidean-symmetric energy network (ESNN) assumes. Nothing here is the paper's.
 *
 * State (cycle-major, as in the ESNN code's data): x[6i .. 6i + 5] = (x_i, y_i, α_i, ẋ_i, ẏ_i, α̇_i), i = 0 … N − 1,
 * cycle 0 at the top. α_i is the angle of cycle i's cross-section, as in the authors' plots: the section (a bar of
 * radius 0.033 m) runs along (−sin α, cos α), the Slinky's axis along (cos α, sin α), so a hanging Slinky has
 * α = −π/2.
 * Relative coordinates of link i (cycles i − 1 → i), the ESNN's rigid-body-motion removal (spec §2.3), in the frame
 * of the bisector angle β = (α_{i−1} + α_i)/2, with (Δx, Δy) = (x_i − x_{i−1}, y_i − y_{i−1}):
 *   ξ = cos β Δx + sin β Δy  (axial),   η = −sin β Δx + cos β Δy  (shear, along the section),   θ = α_i − α_{i−1}.
 * Energy
 *   E = Σ_i ½ m (ẋ_i² + ẏ_i²) + ½ J α̇_i² + m g y_i  +  Σ_links ½ (k_a (|ξ| − ξ0)² + k_s η² + k_b θ²),
 * with m = 2.5e-3 kg, J = ½ m (0.033 m)², g = 9.8 m/s² (the ESNN code's values) and rest pitch ξ0 = 1 cm [INF].
 * The axial term uses |ξ|, not ξ: for ξ > 0 (every configuration a simulation reaches, since cycles would have to
 * pass through each other to flip the sign) it is the plain ½ k_a (ξ − ξ0)², and it makes the link energy even in
 * ξ, θ and η separately. That is what the ESNN's chirality module builds in: its x-reflection (x → −x, α → −α)
 * negates (ξ, θ), and its chain reversal negates all three, so a ground truth without |ξ| could not be represented
 * by the network the paper uses. Translation and rotation (positions rotated by φ, every α + φ) leave (ξ, η, θ)
 * unchanged by construction.
 * Forces are −∂E/∂(x_i, y_i, α_i), written out by hand (tests check them against finite differences of E): for one
 * link with e = e(ξ, η, θ), ∂ξ/∂β = η and ∂η/∂β = −ξ, so
 *   ∂e/∂Δx = e_ξ cos β − e_η sin β,  ∂e/∂Δy = e_ξ sin β + e_η cos β,  ∂e/∂α_{i or i−1} = ½ (e_ξ η − e_η ξ) ± e_θ.
 * Boundary: the top cycle is clamped (held where it starts) by default, or free.
 *
 * Initial states [INF]: the static hanging equilibrium for μ (top at the origin), swung rigidly about the top cycle
 * by φ ~ U[−π/6, π/6], each lower cycle then displaced by U[−1, 1] mm in x and y and U[−0.05, 0.05] rad in α,
 * at rest.
 * Parameter box [INF]: k_a ∈ [2.5, 7.5] N/m and k_b ∈ [5e-4, 2e-3] N·m/rad vary; k_s = 10 N/m is fixed. The scales are
 * chosen so that every linear mode of the hanging 4-cycle chain lies below 130 rad/s, over the box widened by a
 * quarter of its range on every side: at the ESNN's 0.01 s sampling that is ω·dt ≤ 1.3 rad per sample, at least
 * 4.8 samples a period, so that the data resolve every motion (Nyquist: ω·dt < π). Axial (√(k_a/m) ≈ 30–55 rad/s),
 * shear and bending (√(k_b/J) ≈ 19–38 rad/s) all show. The hanging stretch (up to 6 m g / k_a ≈ 6 cm in all) is a
 * Slinky's: several rest pitches. A first box, k_a ∈ [50, 150] N/m with k_s = 100 N/m, put the stiffest modes at
 * 255–477 rad/s, above the sampling's Nyquist frequency (314 rad/s): the data aliased the axial motion that k_a sets.
 */
import { eigs } from 'mathjs';
import { ConfigError } from '../core/errors';
import { Rng } from '../core/rng';
import type { State } from '../core/state';
import { System } from './types';

export type SlinkyParams = { kAxial: number; kShear: number; kBending: number };

export const SLINKY_PHYSICS = {
  /** mass of one cycle, kg */
  mass: 2.5e-3,
  /** moment of inertia of one cycle about its centre, ½ m r² with r = 0.033 m, kg·m² */
  inertia: 0.5 * 2.5e-3 * 0.033 ** 2,
  /** m/s², acting along −y */
  gravity: 9.8,
  /** axial distance between neighbouring cycles at rest, m */
  restPitch: 0.01,
} as const;

export const SLINKY_DEFAULT_CYCLES = 10;
/** The angle of a cycle whose axis points straight down. */
export const SLINKY_HANGING_ANGLE = -Math.PI / 2;

const { mass, inertia, gravity, restPitch } = SLINKY_PHYSICS;

/** Number of cycles of a state of 6N entries (N >= 2). */
function cycleCount(state: State): number {
  const n = state.length / 6;
  if (!Number.isInteger(n) || n < 2) {
    throw new ConfigError(`slinky state must have 6·N entries (x, y, α and their rates per cycle, N >= 2), got ${state.length}`);
  }
  return n;
}

/** Link i (cycles i − 1 → i) in the bisector frame: its relative coordinates and the frame's cos β, sin β. */
function linkFrame(state: State, i: number) {
  const p = 6 * (i - 1);
  const c = 6 * i;
  const dx = state[c] - state[p];
  const dy = state[c + 1] - state[p + 1];
  const beta = (state[p + 2] + state[c + 2]) / 2;
  const cos = Math.cos(beta);
  const sin = Math.sin(beta);
  return { cos, sin, xi: cos * dx + sin * dy, eta: -sin * dx + cos * dy, theta: state[c + 2] - state[p + 2] };
}

/** Per link i = 1 … N − 1 the triple (ξ, η, θ): entries [3(i − 1) .. 3(i − 1) + 2]; length 3(N − 1). */
export function slinkyRelativeCoordinates(state: State): Float64Array {
  const n = cycleCount(state);
  const out = new Float64Array(3 * (n - 1));
  for (let i = 1; i < n; i++) {
    const { xi, eta, theta } = linkFrame(state, i);
    out.set([xi, eta, theta], 3 * (i - 1));
  }
  return out;
}

/** Σ_links ½ (k_a (|ξ| − ξ0)² + k_s η² + k_b θ²), J. */
export function slinkyElasticEnergy(state: State, { kAxial, kShear, kBending }: SlinkyParams): number {
  const n = cycleCount(state);
  let e = 0;
  for (let i = 1; i < n; i++) {
    const { xi, eta, theta } = linkFrame(state, i);
    e += 0.5 * (kAxial * (Math.abs(xi) - restPitch) ** 2 + kShear * eta * eta + kBending * theta * theta);
  }
  return e;
}

/** Elastic plus gravitational energy Σ m g y_i, J. */
export function slinkyPotentialEnergy(state: State, mu: SlinkyParams): number {
  const n = cycleCount(state);
  let e = slinkyElasticEnergy(state, mu);
  for (let i = 0; i < n; i++) e += mass * gravity * state[6 * i + 1];
  return e;
}

/** −∂(potential)/∂(x_i, y_i, α_i) for every cycle, clamped or not: entries [3i .. 3i + 2]; N, N, N·m. */
export function slinkyGeneralisedForce(state: State, { kAxial, kShear, kBending }: SlinkyParams): Float64Array {
  const n = cycleCount(state);
  const force = new Float64Array(3 * n);
  for (let i = 0; i < n; i++) force[3 * i + 1] = -mass * gravity;
  for (let i = 1; i < n; i++) {
    const { cos, sin, xi, eta, theta } = linkFrame(state, i);
    const eXi = kAxial * (Math.abs(xi) - restPitch) * Math.sign(xi);
    const eEta = kShear * eta;
    const eTheta = kBending * theta;
    const eDx = eXi * cos - eEta * sin;
    const eDy = eXi * sin + eEta * cos;
    const eBetaHalf = 0.5 * (eXi * eta - eEta * xi);
    const [p, c] = [3 * (i - 1), 3 * i];
    force[p] += eDx;
    force[p + 1] += eDy;
    force[p + 2] -= eBetaHalf - eTheta;
    force[c] -= eDx;
    force[c + 1] -= eDy;
    force[c + 2] -= eBetaHalf + eTheta;
  }
  return force;
}

/**
 * The static state of a Slinky hanging from its top cycle at the origin: every axis vertical (α = −π/2), link i
 * stretched to ξ0 + (N − i) m g / k_a so that it carries the N − i cycles below it; zero velocities.
 */
export function slinkyHangingEquilibrium(cycles: number, { kAxial }: SlinkyParams): State {
  if (!Number.isInteger(cycles) || cycles < 2) throw new ConfigError(`cycles must be an integer >= 2, got ${cycles}`);
  const state = new Float64Array(6 * cycles);
  let y = 0;
  for (let i = 0; i < cycles; i++) {
    if (i > 0) y -= restPitch + ((cycles - i) * mass * gravity) / kAxial;
    state[6 * i + 1] = y;
    state[6 * i + 2] = SLINKY_HANGING_ANGLE;
  }
  return state;
}

/**
 * Angular frequencies (rad/s, ascending) of the small oscillations of a chain of `cycles` hanging from its clamped top:
 * ω² are the eigenvalues of M^{-1/2} K M^{-1/2}, with K = −∂F/∂q the stiffness of the free cycles' (x, y, α) at
 * the hanging equilibrium and M = diag(m, m, J) per cycle. K comes from central differences (step 1e-7) of the
 * analytic force, symmetrised. The stiffest ω against a sampling step dt says whether data sampled at dt resolve
 * every motion (Nyquist: ω dt < π).
 */
export function slinkyHangingModes(cycles: number, mu: SlinkyParams): number[] {
  const equilibrium = slinkyHangingEquilibrium(cycles, mu);
  const free = Array.from({ length: cycles - 1 }, (_, i) => [0, 1, 2].map((k) => ({ state: 6 * (i + 1) + k, force: 3 * (i + 1) + k, massOrInertia: k === 2 ? inertia : mass }))).flat();
  const h = 1e-7;
  const columns = free.map(({ state }) => {
    const [plus, minus] = [Float64Array.from(equilibrium), Float64Array.from(equilibrium)];
    plus[state] += h;
    minus[state] -= h;
    const [fp, fm] = [slinkyGeneralisedForce(plus, mu), slinkyGeneralisedForce(minus, mu)];
    return free.map(({ force }) => -(fp[force] - fm[force]) / (2 * h));
  });
  const scaled = free.map((r, j) => free.map((c, k) => (columns[j][k] + columns[k][j]) / 2 / Math.sqrt(r.massOrInertia * c.massOrInertia)));
  return (eigs(scaled).values as number[]).map((w2) => Math.sqrt(Math.max(w2, 0))).sort((a, b) => a - b);
}

export interface SlinkyOptions {
  /** number of cycles N (default 10) */
  cycles?: number;
  /** hold the top cycle fixed (default true); false leaves both ends free */
  clampTop?: boolean;
}

export function createSlinky(options: SlinkyOptions = {}): System<SlinkyParams> {
  const { cycles = SLINKY_DEFAULT_CYCLES, clampTop = true } = options;
  if (!Number.isInteger(cycles) || cycles < 2) throw new ConfigError(`cycles must be an integer >= 2, got ${cycles}`);
  if (typeof clampTop !== 'boolean') throw new ConfigError(`clampTop must be true or false, got ${clampTop}`);
  return {
    name: clampTop ? 'slinky' : 'slinkyFree',
    stateDim: 6 * cycles,
    paramNames: ['kAxial', 'kShear', 'kBending'],
    vectorField(x: State, mu: SlinkyParams): State {
      const force = slinkyGeneralisedForce(x, mu);
      const out = new Float64Array(6 * cycles);
      for (let i = clampTop ? 1 : 0; i < cycles; i++) {
        const s = 6 * i;
        out[s] = x[s + 3];
        out[s + 1] = x[s + 4];
        out[s + 2] = x[s + 5];
        out[s + 3] = force[3 * i] / mass;
        out[s + 4] = force[3 * i + 1] / mass;
        out[s + 5] = force[3 * i + 2] / inertia;
      }
      return out;
    },
    energy(x: State, mu: SlinkyParams): number {
      let kinetic = 0;
      for (let i = 0; i < cycles; i++) {
        const s = 6 * i;
        kinetic += 0.5 * mass * (x[s + 3] ** 2 + x[s + 4] ** 2) + 0.5 * inertia * x[s + 5] ** 2;
      }
      return kinetic + slinkyPotentialEnergy(x, mu);
    },
    sampleState(rng: Rng, mu: SlinkyParams): State {
      const x = slinkyHangingEquilibrium(cycles, mu);
      const swing = rng.uniformIn(-Math.PI / 6, Math.PI / 6);
      const [cos, sin] = [Math.cos(swing), Math.sin(swing)];
      for (let i = 0; i < cycles; i++) {
        const s = 6 * i;
        const [px, py] = [x[s], x[s + 1]];
        x[s] = cos * px - sin * py;
        x[s + 1] = sin * px + cos * py;
        x[s + 2] += swing;
        if (i === 0) continue;
        x[s] += rng.uniformIn(-1e-3, 1e-3);
        x[s + 1] += rng.uniformIn(-1e-3, 1e-3);
        x[s + 2] += rng.uniformIn(-0.05, 0.05);
      }
      return x;
    },
    paramBox: { kAxial: [2.5, 7.5], kShear: [10, 10], kBending: [5e-4, 2e-3] },
  };
}

/** Ten cycles hanging from a clamped top. */
export const slinky = createSlinky();
