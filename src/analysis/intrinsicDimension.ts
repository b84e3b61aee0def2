/**
 * Intrinsic dimension of a point cloud from nearest-neighbour distances, which a curved low-dimensional family does
 * not fool the way linear PCA is fooled (a one-parameter curve of η that bends spans 2–3 principal components).
 *
 * TwoNN (Facco, d'Errico, Rodriguez & Laio, Sci. Rep. 7, 12140, 2017): for each point i let r₁ ≤ r₂ be the distances
 * to its two nearest neighbours and μᵢ = r₂ / r₁. If the density is locally uniform on a d-dimensional manifold, μ
 * follows the Pareto law f(μ) = d μ^(−d−1) on [1, ∞), whose maximum-likelihood estimate is
 *   d̂ = (N − 1) / Σᵢ log μᵢ       (the unbiased form of N / Σ log μ; Facco et al.'s eq. for the MLE),
 * with standard error d̂ / √N. Only the two nearest neighbours enter, so curvature on the scale of the sampling
 * does not matter; the estimate needs no neighbourhood size.
 *
 * Levina–Bickel (NIPS 2004) maximum likelihood over k neighbours, with MacKay & Ghahramani's correction (average the
 * inverse local estimates): m̂ₖ = [ (1/N) Σᵢ (1/(k − 1)) Σ_{j<k} log(Tₖ(xᵢ) / Tⱼ(xᵢ)) ]⁻¹, Tⱼ the distance to the
 * j-th neighbour. A cross-check on TwoNN at a larger scale.
 *
 * Points are rows of equal length; repeated points (a zero neighbour distance) make both undefined and are refused.
 */
import { DataError } from '../core/errors';

export interface DimensionEstimate {
  dimension: number;
  /** standard error of the estimate (TwoNN: d̂ / √N) */
  standardError: number;
  points: number;
}

function checkPoints(points: readonly (readonly number[])[], minimum: number, what: string): void {
  if (points.length < minimum) throw new DataError(`${what} needs at least ${minimum} points, got ${points.length}`);
  const dim = points[0].length;
  points.forEach((p, i) => {
    if (p.length !== dim) throw new DataError(`${what}: point ${i} has ${p.length} coordinates, point 0 has ${dim}`);
    if (!p.every(Number.isFinite)) throw new DataError(`${what}: point ${i} has a coordinate that is not finite`);
  });
}

/** Each point's sorted distances to all the others. */
function neighbourDistances(points: readonly (readonly number[])[], what: string): number[][] {
  const squared = (p: readonly number[], q: readonly number[]) => {
    let s = 0;
    for (let c = 0; c < p.length; c++) s += (p[c] - q[c]) ** 2;
    return s;
  };
  return points.map((p, i) => {
    const d = points.flatMap((q, j) => (j === i ? [] : [Math.sqrt(squared(p, q))])).sort((a, b) => a - b);
    if (d[0] === 0) throw new DataError(`${what}: point ${i} is repeated (zero distance to a neighbour)`);
    return d;
  });
}

/** TwoNN intrinsic dimension (module comment). */
export function twoNearestNeighbourDimension(points: readonly (readonly number[])[]): DimensionEstimate {
  checkPoints(points, 3, 'TwoNN');
  const logRatios = neighbourDistances(points, 'TwoNN').map((d) => Math.log(d[1] / d[0]));
  const sum = logRatios.reduce((s, v) => s + v, 0);
  if (sum === 0) throw new DataError('TwoNN: every point has its two nearest neighbours at the same distance');
  const n = points.length;
  const dimension = (n - 1) / sum;
  return { dimension, standardError: dimension / Math.sqrt(n), points: n };
}

/** Levina–Bickel maximum-likelihood dimension over k ≥ 2 neighbours, MacKay–Ghahramani averaged (module comment). */
export function levinaBickelDimension(points: readonly (readonly number[])[], k: number): DimensionEstimate {
  if (!Number.isInteger(k) || k < 2) throw new DataError(`Levina–Bickel needs an integer k ≥ 2, got ${k}`);
  checkPoints(points, k + 1, `Levina–Bickel (k = ${k})`);
  const inverse = neighbourDistances(points, 'Levina–Bickel').map((d) => {
    const tk = d[k - 1];
    return d.slice(0, k - 1).reduce((s, tj) => s + Math.log(tk / tj), 0) / (k - 1);
  });
  const meanInverse = inverse.reduce((s, v) => s + v, 0) / inverse.length;
  const dimension = 1 / meanInverse;
  const variance = inverse.reduce((s, v) => s + (v - meanInverse) ** 2, 0) / Math.max(1, inverse.length - 1);
  // delta method: se(1/m̄) = se(m̄) / m̄²
  return { dimension, standardError: Math.sqrt(variance / inverse.length) / meanInverse ** 2, points: points.length };
}
