/**
 * Principal component analysis of point clouds such as learned latents or η (one row per instance), and the
 * intrinsic dimension it suggests.
 *
 * With centred data X (n × d), the SVD X = U S Vᵀ gives components = rows of Vᵀ, projections X V, and explained
 * variance ratios s_k² / Σ s_j². The iMODE paper finds the intrinsic dimension of the adapted η by PCA without
 * stating a rule; `intrinsicDimension` takes the smallest k whose cumulative ratio reaches a threshold (0.99 by
 * default, our choice; see specs/imode.md §4).
 * The SVD comes from `ml-pca`. Each component's sign is fixed so that its largest-magnitude entry is positive,
 * which makes projections reproducible (an SVD may return either sign).
 *
 * Degenerate input: fewer than two rows has no spread to analyse (DataError). A cloud with zero variance (all rows
 * equal) has ratios all 0 and intrinsic dimension 0, not the NaN that 0/0 would give.
 */
import { PCA } from 'ml-pca';
import { DataError } from '../core/errors';

export interface PcaResult {
  /** per component, descending, summing to 1 (all 0 for a zero-variance cloud) */
  explainedVarianceRatio: number[];
  /** unit vectors in data space, one per row, ordered as the ratios */
  components: number[][];
  /** rows of the input in component coordinates: (x − mean) · component */
  projected: number[][];
  /** the mean subtracted (zeros when `center` is false) */
  mean: number[];
}

function checkRows(rows: readonly (readonly number[])[]): void {
  if (rows.length < 2) throw new DataError(`PCA needs at least 2 rows (points), got ${rows.length}`);
  const d = rows[0].length;
  if (d < 1) throw new DataError('PCA rows must have at least one column');
  rows.forEach((r, i) => {
    if (r.length !== d) throw new DataError(`PCA row ${i} has ${r.length} columns, row 0 has ${d}`);
    const j = r.findIndex((v) => !Number.isFinite(v));
    if (j >= 0) throw new DataError(`PCA row ${i}, column ${j} is ${r[j]}; PCA needs finite values`);
  });
}

/** A point's coordinates on the given components: (x − mean) · component for each (also for points not in the fit). */
export function projectOnComponents(x: readonly number[], mean: readonly number[], components: readonly (readonly number[])[]): number[] {
  return components.map((c) => c.reduce((s, cj, j) => s + cj * (x[j] - mean[j]), 0));
}

/** PCA of `rows` (n points × d features); `center` (default true) subtracts the mean first. */
export function pca(rows: readonly (readonly number[])[], opts: { center?: boolean } = {}): PcaResult {
  checkRows(rows);
  const center = opts.center ?? true;
  const data = rows.map((r) => [...r]);
  const d = data[0].length;
  const mean = center ? Array.from({ length: d }, (_, j) => data.reduce((s, r) => s + r[j], 0) / data.length) : new Array<number>(d).fill(0);
  const model = new PCA(data, { center, method: 'SVD' });
  const vectors = model.getEigenvectors().transpose().to2DArray();
  const eigenvalues = model.getEigenvalues();
  const total = eigenvalues.reduce((s, v) => s + v, 0);
  const components = vectors.map((v) => {
    const peak = v.reduce((best, x) => (Math.abs(x) > Math.abs(best) ? x : best), 0);
    return peak < 0 ? v.map((x) => -x) : v;
  });
  return {
    explainedVarianceRatio: eigenvalues.map((v) => (total > 0 ? v / total : 0)),
    components,
    projected: data.map((r) => projectOnComponents(r, mean, components)),
    mean,
  };
}

/**
 * Smallest k whose cumulative explained variance reaches `threshold` (in (0, 1]); 0 when there is no variance.
 * A 1e-12 slack absorbs rounding in the cumulative sum, so threshold 1 is reachable.
 */
export function intrinsicDimension(ratios: readonly number[], threshold = 0.99): number {
  if (!(threshold > 0 && threshold <= 1)) throw new DataError(`threshold must be in (0, 1], got ${threshold}`);
  const bad = ratios.findIndex((r) => !Number.isFinite(r) || r < 0);
  if (bad >= 0) throw new DataError(`explained variance ratio [${bad}] is ${ratios[bad]}; ratios must be finite and >= 0`);
  const total = ratios.reduce((s, r) => s + r, 0);
  if (total === 0) return 0;
  let cumulative = 0;
  for (let k = 0; k < ratios.length; k++) {
    cumulative += ratios[k] / total;
    if (cumulative >= threshold - 1e-12) return k + 1;
  }
  return ratios.length;
}

/**
 * The dimension at the sharpest drop of the spectrum: the k (1 ≤ k < d) that maximises λ_k / λ_{k+1}, the elbow the
 * iMODE protocol looks for ("a sharp drop in the spectrum", spec §4.3), among the k whose λ_k is at least
 * `minShare` of the largest. A companion to the threshold rule, which can land one component past a clear elbow
 * when the first component holds, say, 98.9 %. Without the share floor the ratio of two noise-level components in
 * the tail (3e-4 / 1e-6) would outbid the real drop. Ratios of 0 count as 1e-12 of the largest; a single component
 * gives 1, no variance gives 0.
 */
export function spectralGapDimension(ratios: readonly number[], minShare = 0.01): number {
  const bad = ratios.findIndex((r) => !Number.isFinite(r) || r < 0);
  if (bad >= 0) throw new DataError(`explained variance ratio [${bad}] is ${ratios[bad]}; ratios must be finite and >= 0`);
  const largest = Math.max(0, ...ratios);
  if (largest === 0) return 0;
  if (ratios.length === 1) return 1;
  const floor = 1e-12 * largest;
  let best = 1;
  let bestRatio = -Infinity;
  for (let k = 0; k + 1 < ratios.length && ratios[k] >= minShare * largest; k++) {
    const drop = Math.max(ratios[k], floor) / Math.max(ratios[k + 1], floor);
    if (drop > bestRatio) {
      bestRatio = drop;
      best = k + 1;
    }
  }
  return best;
}
