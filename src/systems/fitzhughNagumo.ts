/**
 * 2-D FitzHugh–Nagumo reaction–diffusion on the periodic square [−1, 1)² (APHYNITY, Yin et al. 2021; also LEADS),
 * the most likely form of iMODE's unnamed "reaction-diffusion" system (spec §1.2 [INF]):
 *   u_t = a Δu + u − u³ − k − v,   v_t = b Δv + u − v,   k = 5e-3,
 * with diffusion coefficients μ = {a, b}. Method of lines on an N × N grid (default 32), cell (i, j) at
 * (x, y) = (−1 + j·dx, −1 + i·dx) with dx = 2/N, Δ the 5-point stencil with periodic wrap. The state is the
 * flattened [u; v], each field row-major (index i·N + j), 2N² entries, as in APHYNITY's `_vec_to_mat`.
 *
 * Why these pieces: the periodic 5-point Laplacian sums to zero over the grid, so diffusion moves mass without
 * creating any (the spatial means obey the reaction ODE alone), and its error on smooth fields is O(dx²). The
 * homogeneous state u = v = −k^(1/3) is a fixed point (u* − u*³ − k − v* = 0 with u* = v*).
 * Initial state: APHYNITY's, u and v independently U[0, 1) in every cell, from the seeded generator.
 * Parameter box: APHYNITY's (a, b) = (1e-3, 5e-3) at the centre, ±50 % in each [INF].
 */
import { ConfigError } from '../core/errors';
import { Rng } from '../core/rng';
import type { State } from '../core/state';
import { System } from './types';

export type FitzhughNagumoParams = { a: number; b: number };

/** APHYNITY's reaction constant k */
export const FHN_K = 5e-3;
export const FHN_DEFAULT_GRID = 32;
/** side of the periodic domain [−1, 1)² */
export const FHN_DOMAIN_LENGTH = 2;

/** Δf on an n × n periodic grid (row-major, spacing dx): (f_E + f_W + f_N + f_S − 4 f) / dx². */
export function laplacianPeriodic(field: Float64Array, n: number, dx: number): Float64Array {
  if (field.length !== n * n) {
    throw new ConfigError(`field must have n·n = ${n * n} entries (row-major n × n grid), got ${field.length}`);
  }
  const out = new Float64Array(n * n);
  const invDx2 = 1 / (dx * dx);
  for (let i = 0; i < n; i++) {
    const up = ((i + n - 1) % n) * n;
    const row = i * n;
    const down = ((i + 1) % n) * n;
    for (let j = 0; j < n; j++) {
      const left = (j + n - 1) % n;
      const right = (j + 1) % n;
      out[row + j] =
        (field[row + left] + field[row + right] + field[up + j] + field[down + j] - 4 * field[row + j]) * invDx2;
    }
  }
  return out;
}

export interface FitzhughNagumoOptions {
  /** grid side N (default 32); at least 3 so the stencil's four neighbours are distinct cells */
  n?: number;
}

export function createFitzhughNagumo(options: FitzhughNagumoOptions = {}): System<FitzhughNagumoParams> {
  const { n = FHN_DEFAULT_GRID } = options;
  if (!Number.isInteger(n) || n < 3) throw new ConfigError(`n (grid side) must be an integer >= 3, got ${n}`);
  const cells = n * n;
  const dx = FHN_DOMAIN_LENGTH / n;
  return {
    name: 'fitzhughNagumo',
    stateDim: 2 * cells,
    paramNames: ['a', 'b'],
    vectorField(x: State, { a, b }: FitzhughNagumoParams): State {
      const u = x.subarray(0, cells);
      const v = x.subarray(cells, 2 * cells);
      const lapU = laplacianPeriodic(u, n, dx);
      const lapV = laplacianPeriodic(v, n, dx);
      const out = new Float64Array(2 * cells);
      for (let c = 0; c < cells; c++) {
        out[c] = a * lapU[c] + u[c] - u[c] * u[c] * u[c] - FHN_K - v[c];
        out[cells + c] = b * lapV[c] + u[c] - v[c];
      }
      return out;
    },
    sampleState(rng: Rng): State {
      const x = new Float64Array(2 * cells);
      for (let c = 0; c < x.length; c++) x[c] = rng.uniform();
      return x;
    },
    paramBox: { a: [0.5e-3, 1.5e-3], b: [2.5e-3, 7.5e-3] },
  };
}

/** The 32 × 32 system of APHYNITY. */
export const fitzhughNagumo = createFitzhughNagumo();
