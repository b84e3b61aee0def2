/**
 * Paper B, the GENERIC (dissipative) benchmark (spec §2.2–§2.4, §3.1, §6, §7): the protocol of ./paperBHamiltonian.ts
 * unchanged (instances, data, the ten methods with the same meta-learning code, test-time budget, metrics, studies,
 * results contract), with every method learning the GENERIC network ẋ = L∇Ẽ + M̃∇S̃ of ../models/generic.ts instead
 * of an HNN. A system file (./paperBDno.ts, ./paperBTgc.ts) supplies its simulator, true energy and true GENERIC parts.
 *
 *   model      canonical L; S̃ = the sum of the entropy variables (known, spec §9.8); Ẽ the energy MLP, modulated
 *              by the latent methods (every kind of modulation.ts); M̃ from the ζ tensor with Λ̃ shared and
 *              D̃^(k) = D̃_base + reshape(tanh(f_hyper,D(z_k))) per instance (spec §3.1; the tanh is ours, see there). MAML / ANIL / Reptile / Scratch
 *              learn θ = (Ẽ, Λ̃, D̃); ANIL adapts Ẽ's output weight and D̃.
 *   energy drift  of the model's OWN Ẽ along its rollouts, max_t |Ẽ(x̂(t)) − Ẽ(x̂(0))| (the first law of the learned
 *              system; it is 0 up to the RK4 error, whatever the fit). The true E is not conserved by a learned flow
 *              that deviates from the truth, and measures the fit, which ε_traj already does.
 *   degeneracy (metrics.json `degeneracy`, spec §9.8) on up to CHECK_STATES held-out states of every test instance,
 *              for every adapted method: max ‖L∇S̃‖, max ‖M̃∇Ẽ‖, the smallest eigenvalue of M̃, max |dẼ/dt| and
 *              min dS̃/dt (dẼ/dt = ∇Ẽ·ẋ, dS̃/dt = ∇S̃·ẋ of the model's own field there), worst over methods and
 *              instances, with the relative residuals ‖M̃∇Ẽ‖/(‖M̃‖_F‖∇Ẽ‖) and |dẼ/dt|/(‖∇Ẽ‖‖ẋ‖) beside them.
 *   decomposition  on the field grid, the learned pieces against the true ones: ε of ∇Ẽ against ∇E, of M̃ against M
 *              (Frobenius), of the reversible part L∇Ẽ and of the dissipative part M̃∇S̃; relative ℓ² over the grid.
 *              The paper reports that on TGC the total field is learned while the pieces are not (not identifiable).
 */
import * as tf from '@tensorflow/tfjs';
import { eigs } from 'mathjs';
import { ConfigError } from '../core/errors';
import type { ScaleTable } from '../core/config';
import type { State } from '../core/state';
import type { TensorGenericParts } from '../models/fieldModel';
import { type GenericLayout, genericLatentModel, genericPlainModel } from '../models/generic';
import type { GenericParts } from '../systems/dampedOscillator';
import { lineFigure } from '../viz/lineFigures';
import type { Table } from '../viz/table';
import { finiteOrNull, meanStdJson } from '../analysis/metrics';
import type { AdaptedModel, PaperBEvaluation } from '../analysis/paperBEvaluation';
import { type PaperBConfig, PAPER_B_CONVERGED, PAPER_B_DEFAULT, PAPER_B_PAPER, PAPER_B_SMOKE } from './paperB/config';
import type { PaperBSummary } from './paperB/report';
import type { PaperBStructure } from './paperB/system';
import { formatMeanStd } from './paperB/tables';

/** held-out states per test instance on which the degeneracy checks run (evenly spaced through the held-out data) */
export const CHECK_STATES = 100;

type Matrix = number[][];
const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((s, v, i) => s + v * b[i], 0);
const norm = (a: ArrayLike<number>) => Math.sqrt(dot(a, a));
const matVec = (A: Matrix, v: ArrayLike<number>) => A.map((row) => dot(row, v));
const frobenius = (A: Matrix) => Math.sqrt(A.reduce((s, row) => s + dot(row, row), 0));

/** The smallest eigenvalue of a (numerically) symmetric matrix, symmetrised first. */
export function smallestEigenvalue(M: Matrix): number {
  const sym = M.map((row, i) => row.map((v, j) => (v + M[j][i]) / 2));
  if (!sym.flat().every(Number.isFinite)) return NaN;
  const values = eigs(sym, { eigenvectors: false }).values as unknown as number[];
  return Math.min(...Array.from(values, Number));
}

/** The pieces of a learned GENERIC field at `states`, as float64 arrays. */
function partsAt(parts: (x: tf.Tensor2D) => TensorGenericParts, states: readonly ArrayLike<number>[]) {
  return tf.tidy(() => {
    const p = parts(tf.tensor2d(states.map((s) => Array.from(s))));
    return {
      gradE: p.gradE.arraySync() as Matrix,
      gradS: p.gradS.arraySync() as Matrix,
      L: p.L.arraySync() as Matrix,
      M: p.M.arraySync() as Matrix[],
      xdot: p.xdot.arraySync() as Matrix,
    };
  });
}

export interface DegeneracyChecks {
  maxLgradS: number;
  maxMgradE: number;
  minEigM: number;
  maxEnergyRateAbs: number;
  minEntropyRate: number;
  maxMgradERelative: number;
  maxEnergyRateRelative: number;
}

/** The structure checks of a learned GENERIC field at `states` (see the header); NaN where the model is not finite. */
export function degeneracyChecks(parts: (x: tf.Tensor2D) => TensorGenericParts, states: readonly ArrayLike<number>[]): DegeneracyChecks {
  const p = partsAt(parts, states);
  const rows = p.gradE.map((gradE, r) => {
    const M = p.M[r];
    const mGradE = norm(matVec(M, gradE));
    const energyRate = dot(gradE, p.xdot[r]);
    return {
      lGradS: norm(matVec(p.L, p.gradS[r])),
      mGradE,
      minEig: smallestEigenvalue(M),
      energyRate: Math.abs(energyRate),
      entropyRate: dot(p.gradS[r], p.xdot[r]),
      mGradERelative: mGradE / Math.max(frobenius(M) * norm(gradE), Number.MIN_VALUE),
      energyRateRelative: Math.abs(energyRate) / Math.max(norm(gradE) * norm(p.xdot[r]), Number.MIN_VALUE),
    };
  });
  const max = (f: (r: (typeof rows)[number]) => number) => rows.reduce((m, r) => Math.max(m, f(r)), -Infinity);
  const min = (f: (r: (typeof rows)[number]) => number) => rows.reduce((m, r) => Math.min(m, f(r)), Infinity);
  return {
    maxLgradS: max((r) => r.lGradS),
    maxMgradE: max((r) => r.mGradE),
    minEigM: min((r) => r.minEig),
    maxEnergyRateAbs: max((r) => r.energyRate),
    minEntropyRate: min((r) => r.entropyRate),
    maxMgradERelative: max((r) => r.mGradERelative),
    maxEnergyRateRelative: max((r) => r.energyRateRelative),
  };
}

/** ‖Σ (a − b)²‖ / ‖Σ b²‖ over every entry of two lists of vectors or matrices */
function relativeError(a: readonly (readonly number[])[], b: readonly (readonly number[])[]): number {
  let diff = 0;
  let ref = 0;
  b.forEach((row, i) => row.forEach((v, j) => ((diff += (a[i][j] - v) ** 2), (ref += v * v))));
  return Math.sqrt(diff / ref);
}

export interface DecompositionErrors {
  energyGradientError: number;
  frictionError: number;
  reversibleError: number;
  dissipativeError: number;
}

/** The learned pieces against the true ones on the grid (see the header). */
export function decompositionErrors(parts: (x: tf.Tensor2D) => TensorGenericParts, truth: readonly GenericParts[], grid: readonly State[]): DecompositionErrors {
  const p = partsAt(parts, grid);
  const reversible = (L: Matrix, g: ArrayLike<number>) => matVec(L, g);
  return {
    energyGradientError: relativeError(p.gradE, truth.map((t) => Array.from(t.gradE))),
    frictionError: relativeError(p.M.map((M) => M.flat()), truth.map((t) => t.M.flat())),
    reversibleError: relativeError(p.gradE.map((g) => reversible(p.L, g)), truth.map((t) => reversible(t.L, t.gradE))),
    dissipativeError: relativeError(p.M.map((M, r) => matVec(M, p.gradS[r])), truth.map((t) => matVec(t.M, t.gradS))),
  };
}

/** Every `step`-th state so that at most `count` remain. */
function evenlySpaced<T>(items: readonly T[], count: number): T[] {
  const step = Math.max(1, Math.ceil(items.length / count));
  return items.filter((_, i) => i % step === 0);
}

const DEGENERACY_KEYS = ['maxLgradS', 'maxMgradE', 'minEigM', 'maxEnergyRateAbs', 'minEntropyRate', 'maxMgradERelative', 'maxEnergyRateRelative'] as const;
const DECOMPOSITION_KEYS = ['energyGradientError', 'frictionError', 'reversibleError', 'dissipativeError'] as const;

/** Worst value of a check over a list (max, or min for the eigenvalue and entropy rate), finite values only. */
function worst(key: (typeof DEGENERACY_KEYS)[number], values: readonly number[]): number | null {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return null;
  return key === 'minEigM' || key === 'minEntropyRate' ? Math.min(...finite) : Math.max(...finite);
}

/** metrics.json `degeneracy`: worst over methods and instances, and per method. */
export function degeneracySummary(evaluation: PaperBEvaluation) {
  const perMethod = evaluation.methods.map((m) => ({
    method: m.method,
    ...Object.fromEntries(DEGENERACY_KEYS.map((k) => [k, worst(k, m.instances.map((r) => r.checks?.[k] ?? NaN))])),
    nonFiniteInstances: m.instances.filter((r) => DEGENERACY_KEYS.some((k) => !Number.isFinite(r.checks?.[k] ?? NaN))).length,
  })) as ({ method: string; nonFiniteInstances: number } & Record<(typeof DEGENERACY_KEYS)[number], number | null>)[];
  const overall = Object.fromEntries(DEGENERACY_KEYS.map((k) => [k, worst(k, perMethod.map((r) => r[k] ?? NaN))])) as Record<(typeof DEGENERACY_KEYS)[number], number | null>;
  return {
    ...overall,
    heldOutStatesPerInstance: CHECK_STATES,
    definition: 'worst over every adapted method and test instance, on held-out states: max ‖L∇S̃‖, max ‖M̃∇Ẽ‖, min eigenvalue of M̃, max |∇Ẽ·ẋ|, min ∇S̃·ẋ; relative: ‖M̃∇Ẽ‖/(‖M̃‖_F‖∇Ẽ‖), |∇Ẽ·ẋ|/(‖∇Ẽ‖‖ẋ‖); diverged instances (non-finite) are counted, not included',
    perMethod,
  };
}

const fmtCheck = (v: number | null) => (v === null ? 'diverged' : v.toExponential(1));

export function degeneracyTable(d: ReturnType<typeof degeneracySummary>): Table {
  return {
    columns: ['method', 'max ‖L∇S̃‖', 'max ‖M̃∇Ẽ‖', 'relative', 'min eig M̃', 'max |dẼ/dt|', 'relative', 'min dS̃/dt'],
    rows: d.perMethod.map((r) => [r.method, fmtCheck(r.maxLgradS), fmtCheck(r.maxMgradE), fmtCheck(r.maxMgradERelative), fmtCheck(r.minEigM), fmtCheck(r.maxEnergyRateAbs), fmtCheck(r.maxEnergyRateRelative), fmtCheck(r.minEntropyRate)]),
  };
}

export function decompositionTable(evaluation: PaperBEvaluation): Table {
  return {
    columns: ['method', 'ε_field', 'ε(∇Ẽ vs ∇E)', 'ε(M̃ vs M)', 'ε(L∇Ẽ)', 'ε(M̃∇S̃)'],
    rows: evaluation.methods.map((m) => [
      m.method,
      formatMeanStd(meanStdJson(m.instances.map((r) => r.fieldError))),
      ...DECOMPOSITION_KEYS.map((k) => formatMeanStd(meanStdJson(m.instances.map((r) => r.checks?.[k] ?? NaN)))),
    ]),
  };
}

/** S(t) of the first test instance's first held-out trajectory against S̃(x̂(t)) of each method's rollout. */
export function entropyFigure(evaluation: PaperBEvaluation, layout: GenericLayout): ReturnType<typeof lineFigure> {
  const entropy = (rows: readonly number[][]) => rows.map((x) => x.slice(layout.stateDim - layout.entropyVariables).reduce((s, v) => s + v, 0));
  const t = evaluation.truth.rollout.map((_, i) => i);
  return lineFigure({
    title: 'Entropy along the first held-out trajectory of the first test instance: truth S(t) and S̃(x̂(t)) of each method\'s rollout',
    xTitle: 'sample (t / dt)',
    yTitle: 'S',
    series: [
      { name: 'truth', x: t, y: entropy(evaluation.truth.rollout), color: '#000000' },
      ...evaluation.methods.map((m) => ({ name: m.method, x: t, y: entropy(m.preview.rollout).map((v) => finiteOrNull(v) ?? NaN), dash: 'dash' as const })),
    ],
  });
}

/** The GENERIC network family of a system with true parts `trueParts` (see the header). */
export function genericStructure<P>(layout: GenericLayout, trueParts: (x: State, mu: P) => GenericParts): PaperBStructure {
  return {
    layout,
    latentModel: (spec) => genericLatentModel(spec, layout),
    plainModel: (base) => genericPlainModel(base, layout),
    drift: 'model',
    energyNames: { truth: 'E', learned: 'Ẽ', noun: 'energy', figure: 'energy-level-sets' },
    checks(model: AdaptedModel, { mu, heldOut, grid }) {
      if (!model.parts) throw new ConfigError('a GENERIC structure needs models with parts');
      const truth = grid.map((x) => trueParts(x, mu as P));
      return { ...degeneracyChecks(model.parts, evenlySpaced(heldOut, CHECK_STATES)), ...decompositionErrors(model.parts, truth, grid) };
    },
    summarise(s: PaperBSummary, { evaluation }): PaperBSummary {
      const degeneracy = degeneracySummary(evaluation);
      return {
        metrics: { ...s.metrics, degeneracy, decomposition: decompositionRows(evaluation) },
        table: s.table,
        studyTables: { ...s.studyTables, degeneracy: degeneracyTable(degeneracy), decomposition: decompositionTable(evaluation) },
        figures: { ...s.figures, 'entropy-rollouts': entropyFigure(evaluation, layout) },
      };
    },
  };
}

function decompositionRows(evaluation: PaperBEvaluation) {
  return evaluation.methods.map((m) => ({
    method: m.method,
    ...Object.fromEntries(DECOMPOSITION_KEYS.map((k) => [k, meanStdJson(m.instances.map((r) => r.checks?.[k] ?? NaN))])),
  }));
}

/**
 * The GENERIC experiments' scales: the Hamiltonian ones (converged: the pendulum study's budget) with the system's data
 * horizon and rank (see the system files), and what the converged budget alone needs (`converged`).
 */
export function genericScales(overrides: { paper: Partial<PaperBConfig>; all: Partial<PaperBConfig>; converged?: Partial<PaperBConfig> }): ScaleTable<PaperBConfig> {
  return {
    smoke: { ...PAPER_B_SMOKE, ...overrides.all, rank: PAPER_B_SMOKE.rank },
    default: { ...PAPER_B_DEFAULT, ...overrides.all },
    paper: { ...PAPER_B_PAPER, ...overrides.all, ...overrides.paper },
    converged: { ...PAPER_B_CONVERGED, ...overrides.all, ...overrides.converged },
  };
}
