/**
 * The Neural Gauge's linear side (./neuralGauge.ts): the checks and per-column standardisation of its rows, and the
 * least-squares map M that starts its affine stage z(0) = u M + c and whose inverse undoes it.
 *
 *   u = (η − μ_η) ⊘ σ_η,   w = (y − μ_y) ⊘ σ_y              (statistics of the training rows, population std)
 *   M = (uᵀu)⁻¹ uᵀw                                        (least squares for centred u and w, intercept 0)
 *
 * Refusals (DataError): a row with a missing or non-finite entry, a constant column (cannot be standardised), a value
 * ≤ 0 where log φ is asked for, collinear latent columns, or a least-squares M that is (nearly) singular: then η does
 * not determine φ, and no diffeomorphism can be fitted.
 */
import { DataError } from '../core/errors';

export type Rows = readonly (readonly number[])[];

/**
 * In standardised units a determined linear relation has determinants of order 1 (a correlation matrix, or a
 * regression map normalised by its column norms); below this the latent code carries (almost) no information on φ.
 */
const SINGULAR_TOLERANCE = 1e-3;

/** Checks that every row has `columns` finite entries (default: as many as row 0, at least one); returns the count. */
export function checkRows(name: string, rows: Rows, columns: number = rows[0]?.length ?? 0): number {
  if (columns < 1) throw new DataError(`neural gauge: ${name} rows must have at least one column`);
  rows.forEach((row, i) => {
    if (row.length !== columns) throw new DataError(`neural gauge: ${name} row ${i} has ${row.length} columns, expected ${columns}`);
    const j = row.findIndex((v) => !Number.isFinite(v));
    if (j >= 0) throw new DataError(`neural gauge: ${name} row ${i}, column ${j} is ${row[j]}; values must be finite`);
  });
  return columns;
}

export interface Scaler {
  mean: number[];
  std: number[];
}

/** Column means and population standard deviations; a column constant up to rounding cannot be standardised. */
export function fitScaler(name: string, rows: Rows): Scaler {
  const n = rows.length;
  const mean = rows[0].map((_, j) => rows.reduce((s, r) => s + r[j], 0) / n);
  const std = mean.map((m, j) => Math.sqrt(rows.reduce((s, r) => s + (r[j] - m) ** 2, 0) / n));
  std.forEach((s, j) => {
    if (!(s > 1e-10 * Math.abs(mean[j]))) {
      throw new DataError(`neural gauge: ${name} column ${j} is constant over the training rows (std ${s}); it cannot be standardised`);
    }
  });
  return { mean, std };
}

/** φ -> log φ, refusing a value ≤ 0 (its log is undefined) */
export function logRows(name: string, rows: Rows): number[][] {
  return rows.map((r, i) =>
    r.map((v, j) => {
      if (!(v > 0)) throw new DataError(`neural gauge: ${name} row ${i}, column ${j} is ${v}; logParameters needs values > 0`);
      return Math.log(v);
    }),
  );
}

export const standardise = (s: Scaler, rows: Rows): number[][] => rows.map((r) => r.map((v, j) => (v - s.mean[j]) / s.std[j]));
export const unstandardise = (s: Scaler, rows: Rows): number[][] => rows.map((r) => r.map((v, j) => s.mean[j] + s.std[j] * v));

/** a: [n, p], b: [n, q] -> aᵀ b / n */
function crossMoment(a: Rows, b: Rows): number[][] {
  return a[0].map((_, i) => b[0].map((__, j) => a.reduce((s, r, t) => s + r[i] * b[t][j], 0) / a.length));
}

/** Gaussian elimination with partial pivoting: X with A X = B (A: k × k, B: k × m) and det A. X is meaningless when det A = 0. */
export function solveLinear(a: Rows, b: Rows): { x: number[][]; det: number } {
  const k = a.length;
  const m = a.map((row, i) => [...row, ...b[i]]);
  let det = 1;
  for (let col = 0; col < k; col++) {
    let pivot = col;
    for (let r = col + 1; r < k; r++) if (Math.abs(m[r][col]) > Math.abs(m[pivot][col])) pivot = r;
    if (pivot !== col) {
      [m[pivot], m[col]] = [m[col], m[pivot]];
      det = -det;
    }
    det *= m[col][col];
    for (let r = col + 1; r < k; r++) {
      const f = m[r][col] / m[col][col];
      for (let c = col; c < m[r].length; c++) m[r][c] -= f * m[col][c];
    }
  }
  const x = b.map((row) => row.map(() => 0));
  for (let r = k - 1; r >= 0; r--) {
    for (let c = 0; c < x[r].length; c++) {
      let s = m[r][k + c];
      for (let j = r + 1; j < k; j++) s -= m[r][j] * x[j][c];
      x[r][c] = s / m[r][r];
    }
  }
  return { x, det };
}

/** A row-major k × k block as rows. */
export const toRows = (flat: Float64Array, k: number): number[][] => Array.from({ length: k }, (_, i) => Array.from(flat.subarray(i * k, (i + 1) * k)));

export const identity = (k: number): number[][] => Array.from({ length: k }, (_, i) => Array.from({ length: k }, (__, j) => (i === j ? 1 : 0)));

/**
 * M minimising Σ_i ‖w_i − u_i M‖² for centred u and w (the intercept is then 0): M = (uᵀu)⁻¹ uᵀw. uᵀu/n is the
 * latent correlation matrix; |det M| is compared with the product of M's column norms (Hadamard's bound) so that the
 * test measures collinearity of the fitted directions, not their scale.
 */
export function leastSquaresMap(u: Rows, w: Rows): number[][] {
  const gram = solveLinear(crossMoment(u, u), crossMoment(u, w));
  if (!(gram.det > SINGULAR_TOLERANCE)) {
    throw new DataError(
      `neural gauge: the latent columns are (nearly) collinear over the training rows (correlation determinant ${gram.det.toExponential(2)}); ` +
        'pass k independent principal-component coordinates and at least k + 1 rows',
    );
  }
  const m = gram.x;
  const k = m.length;
  const hadamard = m[0].reduce((p, _, j) => p * Math.hypot(...m.map((row) => row[j])), 1);
  const det = solveLinear(m, identity(k)).det;
  if (!(Math.abs(det) > SINGULAR_TOLERANCE * Math.max(1, hadamard))) {
    throw new DataError(
      `neural gauge: the least-squares linear map from latent to physical parameters is singular (|det| ${Math.abs(det).toExponential(2)} in standardised units): ` +
        'the latent code does not determine the physical parameters',
    );
  }
  return m;
}
