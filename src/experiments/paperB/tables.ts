/**
 * Paper B's tables: the results contract's rows (mean ± population std over the test instances of each metric of
 * ../../analysis/paperBEvaluation.ts; ε_field in data over the instances where it is defined), the paper's numbers
 * from the reference entry beside ours, the paper's ranking claim checked on our means, and the tables of the
 * few-shot sweep and the latent-initialisation ablation.
 */
import { type MeanStdJson, meanStdJson } from '../../analysis/metrics';
import type { FewShotSweep, LatentInitAblation, PaperBEvaluation } from '../../analysis/paperBEvaluation';
import type { PaperReference } from '../../core/reference';
import { PAPER_B_METHOD_NAMES, type PaperBMethodName, methodsOf } from '../../meta/paperBMethods';
import { type Table, formatNumber } from '../../viz/table';

/** Mean ± std over the values that are defined (not null; NaN and ∞ still make the mean null), and how many. */
function definedMeanStd(values: readonly (number | null)[]): MeanStdJson & { instances: number } {
  const defined = values.filter((v): v is number => v !== null);
  return defined.length === 0 ? { mean: null, std: null, instances: 0 } : { ...meanStdJson(defined), instances: defined.length };
}

/** One row of the results contract (the methods' names: Paper B's ten, or the cross-paper study's). */
export interface PaperBTableRow<M extends string = PaperBMethodName> {
  method: M;
  fieldError: MeanStdJson;
  /** over the `instances` test instances where it is defined */
  fieldErrorInData: MeanStdJson & { instances: number };
  trajError: MeanStdJson;
  /** ε_traj over the first third of the samples (our diagnostic, ../../analysis/paperBEvaluation.ts) */
  trajErrorFirstThird: MeanStdJson;
  ssim: MeanStdJson;
  energyDrift: MeanStdJson;
  /** mean wall time of one test-time adaptation (adaptSteps steps) */
  adaptSeconds: number;
}

export function paperBTableRows<M extends string>(evaluation: PaperBEvaluation<M>): PaperBTableRow<M>[] {
  return evaluation.methods.map(({ method, instances }) => ({
    method,
    fieldError: meanStdJson(instances.map((r) => r.fieldError)),
    fieldErrorInData: definedMeanStd(instances.map((r) => r.fieldErrorInData)),
    trajError: meanStdJson(instances.map((r) => r.trajError)),
    trajErrorFirstThird: meanStdJson(instances.map((r) => r.trajErrorFirstThird)),
    ssim: meanStdJson(instances.map((r) => r.ssim)),
    energyDrift: meanStdJson(instances.map((r) => r.energyDrift)),
    adaptSeconds: instances.reduce((s, r) => s + r.adaptSeconds, 0) / instances.length,
  }));
}

/** ε_traj against the rollout horizon: mean over the test instances per method (null where one diverged), at evaluation.horizonTimes. */
export interface TrajectoryHorizonCurves {
  times: number[];
  methods: { method: PaperBMethodName; trajError: (number | null)[] }[];
}

export function trajectoryHorizonCurves(evaluation: PaperBEvaluation<PaperBMethodName>): TrajectoryHorizonCurves {
  const times = evaluation.horizonTimes;
  return {
    times: [...times],
    methods: evaluation.methods.map(({ method, instances }) => ({
      method,
      trajError: times.map((_, i) => meanStdJson(instances.map((r) => r.trajErrorByHorizon[i])).mean),
    })),
  };
}

type PaperBlock = { scale?: number; table?: Record<string, Record<string, number | string | null>> } | undefined;

/** A paper number from the reference entry: values[version].table[method][metric] × values[version].scale, or null. */
export function paperValue(reference: PaperReference, version: string, method: PaperBMethodName, metric: 'fieldError' | 'trajError'): number | null {
  const block = reference.values?.[version] as PaperBlock;
  const v = block?.table?.[method]?.[metric];
  return typeof v === 'number' && typeof block?.scale === 'number' ? v * block.scale : null;
}

/** The marker the reference file uses where the paper reports that a method diverged (NaN) instead of a number. */
export const PAPER_DIVERGED = 'diverged';

/** The paper's cell of the benchmark table: its number, "diverged (paper: NaN)" where it reports divergence, or —. */
export function paperCell(reference: PaperReference, version: string, method: PaperBMethodName, metric: 'fieldError' | 'trajError'): string {
  const block = reference.values?.[version] as PaperBlock;
  if (block?.table?.[method]?.[metric] === PAPER_DIVERGED) return 'diverged (NaN)';
  const v = paperValue(reference, version, method, metric);
  return v === null ? '—' : formatNumber(v, 3);
}

const MODULATION_METHODS: readonly PaperBMethodName[] = methodsOf('modulation');
const OPTIMISATION_METHODS: readonly PaperBMethodName[] = methodsOf('optimisation');

/** The paper's claim checked on our means: every modulation beats Scratch and the optimisation-based methods, and SVD or RO is best. */
export function rankingCheck(rows: readonly Pick<PaperBTableRow, 'method' | 'fieldError' | 'trajError'>[], metric: 'fieldError' | 'trajError') {
  const mean = (m: PaperBMethodName) => rows.find((r) => r.method === m)?.[metric].mean ?? Infinity;
  const best = (ms: readonly PaperBMethodName[]) => ms.reduce((b, m) => (mean(m) < mean(b) ? m : b));
  const bestModulation = best(MODULATION_METHODS);
  const bestBaseline = best(['Scratch', ...OPTIMISATION_METHODS]);
  const worstModulation = MODULATION_METHODS.reduce((w, m) => (mean(m) > mean(w) ? m : w));
  return {
    metric,
    bestModulation,
    bestBaseline,
    modulationsBeatBaselines: mean(worstModulation) < mean(bestBaseline),
    svdOrRoBest: (['SVD', 'RO'] as PaperBMethodName[]).includes(best(PAPER_B_METHOD_NAMES)),
  };
}

/** One metric's ranking check as a sentence. */
export function rankingSentence(r: ReturnType<typeof rankingCheck>): string {
  return `${r.metric}: best modulation ${r.bestModulation}, best of Scratch/MAML/ANIL/Reptile ${r.bestBaseline}; every modulation below every baseline: ${r.modulationsBeatBaselines ? 'yes' : 'no'}; SVD or RO best overall: ${r.svdOrRoBest ? 'yes' : 'no'}.`;
}


export const formatMeanStd = (s: MeanStdJson) => (s.mean === null ? 'diverged' : `${formatNumber(s.mean, 3)} ± ${formatNumber(s.std ?? NaN, 2)}`);

/** method × metric, ours beside the paper's (v2 main table; v1 Table 1 where it has a number). */
export function benchmarkTable(rows: readonly PaperBTableRow[], reference: PaperReference): Table {
  return {
    columns: ['method', 'ε_field', 'ε_field (paper v2)', 'ε_traj', 'ε_traj (paper v2)', 'ε_traj (paper v1)', 'ε_traj, first third', 'ε_field in data', 'SSIM', 'energy drift', 'adaptation (s)'],
    rows: rows.map((r) => [
      r.method,
      formatMeanStd(r.fieldError),
      paperCell(reference, 'v2', r.method, 'fieldError'),
      formatMeanStd(r.trajError),
      paperCell(reference, 'v2', r.method, 'trajError'),
      paperCell(reference, 'v1', r.method, 'trajError'),
      formatMeanStd(r.trajErrorFirstThird),
      r.fieldErrorInData.instances === 0 ? '— (no grid point in the data)' : formatMeanStd(r.fieldErrorInData),
      formatMeanStd(r.ssim),
      formatMeanStd(r.energyDrift),
      r.adaptSeconds,
    ]),
  };
}

export function fewShotTable(sweep: FewShotSweep): Table {
  return { columns: ['method', ...sweep.sizes.map((n) => `ε_field, n = ${n}`)], rows: sweep.methods.map((m) => [m.method, ...m.fieldError.map((e) => formatMeanStd(meanStdJson(e)))]) };
}

export function latentInitTable(ablation: LatentInitAblation): Table {
  return {
    columns: ['method', 'ε_field from z_avg', 'ε_field from 0', 'ε_traj from z_avg', 'ε_traj from 0'],
    rows: ablation.methods.map(({ method, byInit }) => [
      method,
      formatMeanStd(meanStdJson(byInit.mean.fieldError)),
      formatMeanStd(meanStdJson(byInit.zero.fieldError)),
      formatMeanStd(meanStdJson(byInit.mean.trajError)),
      formatMeanStd(meanStdJson(byInit.zero.trajError)),
    ]),
  };
}
