/**
 * The evaluation metrics of Paper B (structure-preserving meta-learning, spec §6), as pure float64 functions on
 * plain arrays, so that learned (float32) and true (float64) quantities are compared in one precision.
 *
 * - ε_field = ‖F̂ − F‖₂ / ‖F‖₂ over all grid points and components of the vector field (one norm over the whole
 *   grid, not a mean of pointwise ratios, which would blow up near equilibria where F ≈ 0).
 * - ε_traj: the same relative ℓ² error per held-out trajectory, over all times and state components, then the
 *   mean over trajectories (spec §6). ε_traj(k), the same over the first k samples only, is its horizon curve: a
 *   learned field whose frequency is off by δω drifts in phase by δω·t, so ε_traj grows with the horizon, and the
 *   paper, which does not state its horizon, can only be compared at a horizon known to be the same.
 * - SSIM (Wang, Bovik, Sheikh & Simoncelli 2004) between the true and predicted field-component images on the
 *   grid. Default: the paper's Gaussian window (11×11, σ = 1.5, weighted moments, eq. 15 of Wang et al.), averaged
 *   over the windows that lie wholly inside the image, as in the authors' MATLAB `ssim_index` and skimage's
 *   `structural_similarity(..., gaussian_weights=True, sigma=1.5, use_sample_covariance=False)`. The uniform variant
 *   (window 7, sample covariance N/(N − 1)) is skimage's default. The data range L in C1 = (K1 L)², C2 = (K2 L)² must
 *   be given: deriving it from the images would make the score depend on the prediction's own range.
 * - mean ± std over test instances and seeds, with the population std (divisor n): the spec does not say which, and
 *   numpy's default `np.std` is what Python reference code usually reports.
 * - energy drift max_t |E(t) − E(0)| and the GENERIC degeneracy residuals ‖L∇S‖, ‖M∇E‖ as structure checks.
 *
 * Non-finite predictions are not errors here: a diverged model yields NaN or ∞, which is what the paper reports for
 * such runs (Reptile/ANIL on DNO). Malformed inputs (mismatched shapes, a zero reference) are DataErrors.
 */
import { ConfigError, DataError } from '../core/errors';

/** a list of vectors, e.g. field values at grid points or states along a trajectory: [points][components] */
export type Vectors = readonly ArrayLike<number>[];

function checkSameShape(predicted: Vectors, truth: Vectors, what: string): void {
  if (predicted.length !== truth.length) {
    throw new DataError(`${what}: predicted has ${predicted.length} rows, truth has ${truth.length}`);
  }
  if (truth.length === 0) throw new DataError(`${what}: no rows to compare`);
  truth.forEach((row, i) => {
    if (predicted[i].length !== row.length) {
      throw new DataError(`${what}: row ${i} has ${predicted[i].length} components predicted, ${row.length} true`);
    }
  });
}

/** ‖predicted − truth‖₂ / ‖truth‖₂ over every entry */
function relativeL2(predicted: Vectors, truth: Vectors, what: string): number {
  checkSameShape(predicted, truth, what);
  let diff = 0;
  let norm = 0;
  truth.forEach((row, i) => {
    for (let j = 0; j < row.length; j++) {
      diff += (predicted[i][j] - row[j]) ** 2;
      norm += row[j] ** 2;
    }
  });
  if (!(norm > 0)) throw new DataError(`${what}: the true values are all zero, so the relative error is undefined`);
  return Math.sqrt(diff / norm);
}

/** ε_field = ‖F̂ − F‖₂ / ‖F‖₂ with F̂, F: [gridPoints][stateDim] */
export function relativeFieldError(predicted: Vectors, truth: Vectors): number {
  return relativeL2(predicted, truth, 'relativeFieldError');
}

/** ε_traj = mean over trajectories k of ‖X̂_k − X_k‖₂ / ‖X_k‖₂, each X_k: [times][stateDim] */
export function relativeTrajectoryError(predicted: readonly Vectors[], truth: readonly Vectors[]): number {
  if (predicted.length !== truth.length || truth.length === 0) {
    throw new DataError(
      'relativeTrajectoryError: needs the same non-zero number of trajectories, ' +
        `got ${predicted.length} predicted and ${truth.length} true`,
    );
  }
  const errors = truth.map((x, k) => relativeL2(predicted[k], x, `relativeTrajectoryError (trajectory ${k})`));
  return errors.reduce((s, e) => s + e, 0) / errors.length;
}

/**
 * ε_traj(k) for k = 2 … T: relativeTrajectoryError over the first k samples of every trajectory (k = 1 is left out:
 * a rollout starts at the true state, so its error there is 0 by construction). Entry k − 2 is the horizon
 * (k − 1)·dt; the last entry is ε_traj itself.
 */
export function trajectoryErrorByHorizon(predicted: readonly Vectors[], truth: readonly Vectors[]): number[] {
  const samples = truth.length === 0 ? 0 : Math.min(...truth.map((x) => x.length));
  if (samples < 2) throw new DataError(`trajectoryErrorByHorizon: needs trajectories of at least 2 samples, got ${samples}`);
  return Array.from({ length: samples - 1 }, (_, i) =>
    relativeTrajectoryError(
      predicted.map((x) => x.slice(0, i + 2)),
      truth.map((x) => x.slice(0, i + 2)),
    ),
  );
}

/** The number of samples of the first third of a trajectory of `samples` (⌈T/3⌉, at least 2): ε_traj's short horizon. */
export function firstThirdSamples(samples: number): number {
  return Math.max(2, Math.ceil(samples / 3));
}

/** max_t |E(t) − E(0)| along a trajectory's energies (absolute: relative drift divides by |E(0)|, which may be ~0) */
export function energyDrift(energies: readonly number[]): number {
  if (energies.length === 0) throw new DataError('energyDrift: no energies given');
  return energies.reduce((worst, e) => Math.max(worst, Math.abs(e - energies[0])), 0);
}

export interface MeanStd {
  mean: number;
  /** population standard deviation √(Σ(v − mean)²/n), or the sample one √(Σ(v − mean)²/(n − 1)) */
  std: number;
}

/**
 * mean and std, by default the population std (divisor n, as numpy's np.std); 'sample' divides by n − 1 (one value:
 * std 0). NaN in, NaN out.
 */
export function meanStd(values: readonly number[], divisor: 'population' | 'sample' = 'population'): MeanStd {
  if (values.length === 0) throw new DataError('meanStd: no values given');
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  if (divisor === 'sample' && values.length === 1) return { mean, std: 0 };
  const variance = values.reduce((s, v) => s + (v - mean) ** 2, 0) / (divisor === 'sample' ? values.length - 1 : values.length);
  return { mean, std: Math.sqrt(variance) };
}

/** A finite number, or null (JSON has no NaN / ∞: a diverged run). */
export function finiteOrNull(v: number): number | null {
  return Number.isFinite(v) ? v : null;
}

/** meanStd as JSON writes it: a non-finite mean or std is null. */
export interface MeanStdJson {
  mean: number | null;
  std: number | null;
}

export function meanStdJson(values: readonly number[]): MeanStdJson {
  const s = meanStd(values);
  return { mean: finiteOrNull(s.mean), std: finiteOrNull(s.std) };
}

/** The median (mean of the two middle values for an even count); DataError for no values. */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new DataError('median: no values given');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

type Matrix = readonly (readonly number[])[];

function matVecNorm(A: Matrix, v: ArrayLike<number>): number {
  return Math.sqrt(A.reduce((s, row) => s + row.reduce((r, a, j) => r + a * v[j], 0) ** 2, 0));
}

/**
 * ‖L∇S‖₂ and ‖M∇E‖₂ of the pieces of a GENERIC field ẋ = L∇E + M∇S at one state (exact or learned): both vanish for
 * a GENERIC system (the entropy is a Casimir of L, and friction conserves energy).
 */
export function degeneracyResiduals(parts: {
  L: Matrix;
  M: Matrix;
  gradE: ArrayLike<number>;
  gradS: ArrayLike<number>;
}): { lGradS: number; mGradE: number } {
  const n = parts.gradE.length;
  const square = (A: Matrix) => A.length === n && A.every((row) => row.length === n);
  if (!square(parts.L) || !square(parts.M) || parts.gradS.length !== n) {
    throw new DataError(`degeneracyResiduals: L and M must be ${n}×${n} and ∇S of length ${n}, as ∇E`);
  }
  return { lGradS: matVecNorm(parts.L, parts.gradS), mGradE: matVecNorm(parts.M, parts.gradE) };
}

export interface SsimOptions {
  /** L in C1 = (K1 L)², C2 = (K2 L)²: the dynamic range of the reference image (spec: max − min of the true one) */
  dataRange: number;
  /** Gaussian-weighted window (default, Wang et al.'s) or uniform window with sample covariance (skimage's default) */
  gaussian?: boolean;
  /** odd window side; default 11 for the Gaussian window, 7 for the uniform one */
  windowSize?: number;
  /** std of the Gaussian window in pixels; default 1.5 */
  sigma?: number;
  /** default 0.01 */
  K1?: number;
  /** default 0.03 */
  K2?: number;
}

export type Image = readonly ArrayLike<number>[];

/** normalised 1-D window; the 2-D window is its outer product (separable, as MATLAB's fspecial('gaussian') is) */
function windowWeights(size: number, gaussian: boolean, sigma: number): number[] {
  const centre = (size - 1) / 2;
  const raw = Array.from({ length: size }, (_, i) =>
    gaussian ? Math.exp(-((i - centre) ** 2) / (2 * sigma * sigma)) : 1,
  );
  const total = raw.reduce((s, w) => s + w, 0);
  return raw.map((w) => w / total);
}

/** weighted window sums at every window position wholly inside the image: [rows − w + 1][cols − w + 1] */
function filterValid(image: number[][], weights: readonly number[]): number[][] {
  const w = weights.length;
  const rows = image.length - w + 1;
  const cols = image[0].length - w + 1;
  const horizontal = image.map((row) =>
    Array.from({ length: cols }, (_, j) => weights.reduce((s, wk, k) => s + wk * row[j + k], 0)),
  );
  return Array.from({ length: rows }, (_, i) =>
    Array.from({ length: cols }, (_, j) => weights.reduce((s, wk, k) => s + wk * horizontal[i + k][j], 0)),
  );
}

function checkSsimOptions(options: SsimOptions | undefined): Required<SsimOptions> {
  if (options === undefined || !(options.dataRange > 0) || !Number.isFinite(options.dataRange)) {
    throw new ConfigError(
      'ssim: options.dataRange must be a positive finite number (max − min of the true image), ' +
        `got ${options?.dataRange}`,
    );
  }
  const gaussian = options.gaussian ?? true;
  const resolved = {
    dataRange: options.dataRange,
    gaussian,
    windowSize: options.windowSize ?? (gaussian ? 11 : 7),
    sigma: options.sigma ?? 1.5,
    K1: options.K1 ?? 0.01,
    K2: options.K2 ?? 0.03,
  };
  if (!Number.isInteger(resolved.windowSize) || resolved.windowSize < 3 || resolved.windowSize % 2 === 0) {
    throw new ConfigError(`ssim: options.windowSize must be an odd integer ≥ 3, got ${resolved.windowSize}`);
  }
  if (!(resolved.sigma > 0)) throw new ConfigError(`ssim: options.sigma must be positive, got ${resolved.sigma}`);
  if (!(resolved.K1 > 0) || !(resolved.K2 > 0)) {
    throw new ConfigError(`ssim: options.K1 and options.K2 must be positive, got ${resolved.K1} and ${resolved.K2}`);
  }
  return resolved;
}

/** mean structural similarity of two equally sized images [rows][cols]; 1 iff identical, symmetric in its arguments */
export function ssim(image1: Image, image2: Image, options: SsimOptions): number {
  const { dataRange, gaussian, windowSize, sigma, K1, K2 } = checkSsimOptions(options);
  const rows = image1.length;
  const cols = rows > 0 ? image1[0].length : 0;
  if (image2.length !== rows || [...image1, ...image2].some((row) => row.length !== cols)) {
    throw new DataError('ssim: the images must be rectangular and of the same size');
  }
  if (rows < windowSize || cols < windowSize) {
    throw new ConfigError(`ssim: options.windowSize ${windowSize} exceeds the image size ${rows}×${cols}`);
  }
  const x = image1.map((row) => Array.from(row));
  const y = image2.map((row) => Array.from(row));
  const weights = windowWeights(windowSize, gaussian, sigma);
  const blur = (img: number[][]) => filterValid(img, weights);
  const product = (a: number[][], b: number[][]) => a.map((row, i) => row.map((v, j) => v * b[i][j]));
  const [muX, muY] = [blur(x), blur(y)];
  const [xx, yy, xy] = [blur(product(x, x)), blur(product(y, y)), blur(product(x, y))];
  // Unbiased window (co)variances for the uniform window, as skimage's default use_sample_covariance=True.
  const n = windowSize * windowSize;
  const covarianceScale = gaussian ? 1 : n / (n - 1);
  const c1 = (K1 * dataRange) ** 2;
  const c2 = (K2 * dataRange) ** 2;
  let total = 0;
  muX.forEach((row, i) =>
    row.forEach((mx, j) => {
      const my = muY[i][j];
      const varX = covarianceScale * (xx[i][j] - mx * mx);
      const varY = covarianceScale * (yy[i][j] - my * my);
      const cov = covarianceScale * (xy[i][j] - mx * my);
      total += ((2 * mx * my + c1) * (2 * cov + c2)) / ((mx * mx + my * my + c1) * (varX + varY + c2));
    }),
  );
  return total / (muX.length * muX[0].length);
}

/** the grid of `vectorFieldGrid`: points[i·n + j] = (axes[0][j], axes[1][i], ...fixed), i.e. image row i, column j */
export interface FieldGrid {
  points: Float64Array[];
  /** points per axis */
  n: number;
  axes: [number[], number[]];
}

/**
 * An n × n uniform grid (end points included, as numpy's linspace) over the first two state coordinates, the rest
 * held at `fixed` (the spec's slices: S = 1 for DNO, S1 = S2 = 2 for TGC). Row-major with the first coordinate
 * along the columns, so a field component reshaped to [n][n] is an image with q to the right and p upwards.
 */
export function vectorFieldGrid(
  box: readonly [readonly [number, number], readonly [number, number]],
  n: number,
  fixed: readonly number[] = [],
): FieldGrid {
  if (!Number.isInteger(n) || n < 2) throw new ConfigError(`vectorFieldGrid: n must be an integer ≥ 2, got ${n}`);
  box.forEach(([lo, hi], a) => {
    if (!Number.isFinite(lo) || !Number.isFinite(hi) || !(lo < hi)) {
      throw new ConfigError(`vectorFieldGrid: box[${a}] must be [lo, hi] with finite lo < hi, got [${lo}, ${hi}]`);
    }
  });
  const axis = ([lo, hi]: readonly [number, number]) =>
    Array.from({ length: n }, (_, k) => lo + ((hi - lo) * k) / (n - 1));
  const axes: [number[], number[]] = [axis(box[0]), axis(box[1])];
  const points = axes[1].flatMap((b) => axes[0].map((a) => Float64Array.of(a, b, ...fixed)));
  return { points, n, axes };
}

/** component c of field values on an n × n grid as an image [n][n] (the layout of `vectorFieldGrid`) */
export function fieldComponentImage(values: Vectors, n: number, component: number): number[][] {
  if (values.length !== n * n) {
    throw new DataError(`fieldComponentImage: expected ${n * n} grid values, got ${values.length}`);
  }
  return Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => values[i * n + j][component]));
}

/**
 * The spec's SSIM metric: the mean over field components of ssim(true image, predicted image) on an n × n grid, each
 * with data range max − min of the true component.
 */
export function fieldSsim(
  predicted: Vectors,
  truth: Vectors,
  n: number,
  options: Omit<SsimOptions, 'dataRange'> = {},
): number {
  checkSameShape(predicted, truth, 'fieldSsim');
  const components = truth[0].length;
  let total = 0;
  for (let c = 0; c < components; c++) {
    const trueImage = fieldComponentImage(truth, n, c);
    const flat = trueImage.flat();
    const dataRange = Math.max(...flat) - Math.min(...flat);
    if (!(dataRange > 0)) {
      throw new DataError(`fieldSsim: true field component ${c} is constant on the grid, so its SSIM data range is 0`);
    }
    total += ssim(trueImage, fieldComponentImage(predicted, n, c), { ...options, dataRange });
  }
  return total / components;
}
