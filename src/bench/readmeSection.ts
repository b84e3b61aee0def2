/**
 * The README's Performance tables, generated from the JSON that `npm run bench` writes into results/bench/ (never
 * typed): per workload ours against PyTorch as measured in the same invocation, the ratio of medians and of minima
 * (the minimum is the least disturbed by other load on the machine), per PyTorch thread count where PyTorch ran at
 * several (`--torch-threads`), what one profiled step launches and how long its matrix products alone take (a floor
 * under our step: when it exceeds PyTorch's whole step, no saving of launches can bring the ratio to 1), the same ratio from results/bench/baseline/ when a baseline was kept, and the whole-experiment steps, the parity check and the memory run.
 */
import * as fs from 'fs';
import * as path from 'path';
import { DataError } from '../core/errors';
import { readJsonOrNull, reusedMetaTrainSeconds } from '../core/results';
import { type Table, formatNumber, tableToMarkdown } from '../viz/table';
import { threadLabel } from './torchReference';
import { WORKLOAD_NAMES } from './workloads';

interface TorchJson {
  medianMs: number;
  minMs: number;
  ratio: number;
  ratioOfMins: number;
  /** PyTorch's threads (absent in the oldest results, which ran on one) */
  threads?: number;
}

interface BenchJson {
  workload: string;
  medianMs: number;
  minMs: number;
  repetitions: number;
  gitRevision: string | null;
  gitDirty: boolean | null;
  measuredAt: string;
  /** the run at the first of --torch-threads */
  torch?: TorchJson | null;
  /** every PyTorch run, by its thread count (`npm run bench -- --compare --torch-threads 1,2`; absent in older results) */
  torchByThreads?: Record<string, TorchJson> | null;
  profile?: { kernels: number; matMulKernels: number; matMulMs: number } | null;
  estimatedMetaTrainingSeconds?: { fromMedian: number; fromMin: number; outerIterations: number };
}

function revision(j: { gitRevision: string | null; gitDirty: boolean | null; measuredAt: string }): string {
  return `${j.gitRevision ? j.gitRevision.slice(0, 7) + (j.gitDirty ? ' (dirty)' : '') : 'unknown'}, ${j.measuredAt.slice(0, 10)}`;
}

const ms = (x: number) => (x >= 100 ? String(Math.round(x)) : formatNumber(x, 3));
const ratio = (x: number) => x.toFixed(1);

/** A result's PyTorch runs by thread count; one without torchByThreads has at most its `torch` run. */
function torchRuns(j: BenchJson): Map<number, TorchJson> {
  if (j.torchByThreads) return new Map(Object.entries(j.torchByThreads).map(([n, t]) => [Number(n), t]));
  return new Map(j.torch ? [[j.torch.threads ?? 1, j.torch]] : []);
}

const torchCells = (t: TorchJson | undefined) => (t ? [`${ms(t.medianMs)} / ${ms(t.minMs)}`, `${ratio(t.ratio)} / ${ratio(t.ratioOfMins)}`] : ['not run', '—']);

/**
 * ours vs PyTorch per issue workload, with the baseline's ratio beside. When some result has PyTorch runs at chosen
 * thread counts (torchByThreads), PyTorch's time and the ratio get a column pair per thread count; otherwise one pair.
 */
export function comparisonTable(benchDir: string): Table | null {
  const results = WORKLOAD_NAMES.flatMap((name) => {
    const j = readJsonOrNull<BenchJson>(path.join(benchDir, `${name}.json`));
    return j ? [{ name, j, before: readJsonOrNull<BenchJson>(path.join(benchDir, 'baseline', `${name}.json`)) }] : [];
  });
  if (results.length === 0) return null;
  const threads = results.some((r) => r.j.torchByThreads) ? [...new Set(results.flatMap((r) => [...torchRuns(r.j).keys()]))].sort((a, b) => a - b) : null;
  const rows = results.map(({ name, j, before }) => {
    const t = j.torch;
    const p = j.profile;
    const profile = p ? `${p.kernels} kernels; ${p.matMulKernels} matMuls take ${ms(p.matMulMs)} ms${t ? ` = ${ratio(p.matMulMs / t.medianMs)} × PyTorch's step${threads ? ` (${threadLabel(t.threads ?? 1)})` : ''}` : ''}` : '—';
    return [
      `\`${name}\`: ${j.workload}`,
      `${ms(j.medianMs)} / ${ms(j.minMs)}`,
      ...(threads ? threads.flatMap((n) => torchCells(torchRuns(j).get(n))) : torchCells(t ?? undefined)),
      profile,
      before?.torch ? `${ratio(before.torch.ratio)} / ${ratio(before.torch.ratioOfMins)}` : '—',
      revision(j),
    ];
  });
  const torchColumns = threads
    ? threads.flatMap((n) => [`PyTorch ms (${threadLabel(n)}), median / min`, `ratio ours / PyTorch (${threadLabel(n)}), medians / minima`])
    : ['PyTorch ms, median / min', 'ratio ours / PyTorch, medians / minima'];
  return { columns: ['workload', 'ours ms, median / min', ...torchColumns, 'one profiled step of ours', 'ratio in results/bench/baseline/', 'revision, date'], rows };
}

const EXPERIMENT_STEPS: readonly [string, string][] = [
  ['imode-pendulum-outer-iteration', 'iMODE pendulum outer iteration, default config'],
  ['imode-pendulum-adaptation', 'iMODE pendulum test-time adaptation of one length'],
  ['imode-pendulum-paper-outer-iteration', "iMODE pendulum outer iteration at the authors' scale"],
];

/** The whole experiments' steps (no PyTorch side), with the baseline's median beside. */
export function experimentStepsTable(benchDir: string): Table | null {
  const rows = EXPERIMENT_STEPS.flatMap(([file, label]) => {
    const j = readJsonOrNull<BenchJson>(path.join(benchDir, `${file}.json`));
    if (!j) return [];
    const before = readJsonOrNull<BenchJson>(path.join(benchDir, 'baseline', `${file}.json`));
    const e = j.estimatedMetaTrainingSeconds;
    const note = e ? `× ${e.outerIterations} iterations ≈ ${Math.round(e.fromMedian)} s (from the minimum ${Math.round(e.fromMin)} s)` : '';
    return [[label, `${ms(j.medianMs)} / ${ms(j.minMs)}`, before ? ms(before.medianMs) : '—', note, revision(j)]];
  });
  if (rows.length === 0) return null;
  return { columns: ['step', 'ms, median / min', 'baseline median ms', 'meta-training estimate', 'revision, date'], rows };
}

interface ParityJson {
  tolerance: number;
  results: { workload: string; loss: { relativeDifference: number }; worstGradientRelativeDifference: number }[];
}

interface MemoryJson {
  steps: number;
  seconds: number;
  tensors: { start: number; end: number };
  rssAfterGcMiB?: { afterFirstSample: number; end: number };
  rssMiB: { start: number; end: number; max: number };
}

/** Parity and memory, one sentence each, from parity.json and memory-*.json. */
export function parityAndMemoryLines(benchDir: string): string[] {
  const lines: string[] = [];
  const parity = readJsonOrNull<ParityJson>(path.join(benchDir, 'parity.json'));
  if (parity) {
    const parts = parity.results.map((r) => `${r.workload} ${formatNumber(r.loss.relativeDifference, 2)} / ${formatNumber(r.worstGradientRelativeDifference, 2)}`);
    lines.push(`Parity with PyTorch in float64 on the same weights (relative difference of the loss / worst gradient, tolerance ${formatNumber(parity.tolerance, 1)}): ${parts.join('; ')}.`);
  }
  const memoryFiles = fs.existsSync(benchDir) ? fs.readdirSync(benchDir).filter((f) => /^memory-.*\.json$/.test(f)).sort() : [];
  for (const f of memoryFiles) {
    const m = readJsonOrNull<MemoryJson>(path.join(benchDir, f)) as MemoryJson;
    const rss = m.rssAfterGcMiB ? `RSS after a full GC ${m.rssAfterGcMiB.afterFirstSample} → ${m.rssAfterGcMiB.end} MiB` : `RSS ${m.rssMiB.start} → ${m.rssMiB.end} MiB (max ${m.rssMiB.max})`;
    lines.push(`Memory (\`${f}\`): ${m.steps} training steps in ${Math.round(m.seconds)} s, live tensors ${m.tensors.start} → ${m.tensors.end}, ${rss}.`);
  }
  return lines;
}

interface MatMulJson {
  products: { shape: number[]; ours: { gflops: number }; torch: { gflops: number } | null }[];
}

/** The backends' raw matrix-product speed (results/bench/matmul.json), one sentence, or null. */
export function matMulLine(benchDir: string): string | null {
  const j = readJsonOrNull<MatMulJson>(path.join(benchDir, 'matmul.json'));
  if (!j) return null;
  const parts = j.products.map((p) => {
    const [n, k, m] = p.shape;
    return `[${n}, ${k}] × [${k}, ${m}] ours ${formatNumber(p.ours.gflops, 3)}${p.torch ? `, PyTorch ${formatNumber(p.torch.gflops, 3)}` : ''}`;
  });
  return `One float32 matrix product, one thread, GFLOP/s (\`matmul.json\`): ${parts.join('; ')}.`;
}

export function benchReadmeSection(benchDir: string): string {
  const comparison = comparisonTable(benchDir);
  if (!comparison) return '_No benchmark results yet: run `npm run bench -- --compare`._';
  const steps = experimentStepsTable(benchDir);
  const matMul = matMulLine(benchDir);
  return [tableToMarkdown(comparison), ...(steps ? [tableToMarkdown(steps)] : []), ...(matMul ? [matMul] : []), ...parityAndMemoryLines(benchDir)].map((part) => part.trim()).join('\n\n');
}

interface ProvenanceTimes {
  startedAt: string;
  finishedAt: string;
  wallSeconds: number;
  gitRevision?: string | null;
  gitDirty?: boolean | null;
}

const minutes = (seconds: number) => `${(seconds / 60).toFixed(1)} min`;

/**
 * How long the committed default-scale results took, from their provenance: the sum of the experiments' own wall
 * times (what one-at-a-time would take) and, when one revision wrote them all (one `npm run reproduce`), the span from
 * the first start to the last finish, its wall time. A run that reused the trained checkpoints of an earlier run
 * (recorded meta-training longer than its own wall time: the trainer accumulates its seconds across resumes) is named
 * with the sum that counts its recorded meta-training, so that the sum does not pass for the cost of a fresh run.
 * Null when no experiment has results.
 */
export function reproduceWallTimeLine(resultsRoot: string, ids: readonly string[]): string | null {
  const runs = ids.flatMap((id) => {
    const p = readJsonOrNull<ProvenanceTimes>(path.join(resultsRoot, id, 'provenance.json'));
    return p ? [{ id, ...p }] : [];
  });
  if (runs.length === 0) return null;
  for (const r of runs) {
    if (!Number.isFinite(Date.parse(r.startedAt)) || !Number.isFinite(Date.parse(r.finishedAt)) || !Number.isFinite(r.wallSeconds)) {
      throw new DataError('provenance.json without a valid startedAt, finishedAt and wallSeconds', { file: path.join(resultsRoot, r.id, 'provenance.json') });
    }
  }
  const start = Math.min(...runs.map((r) => Date.parse(r.startedAt)));
  const end = Math.max(...runs.map((r) => Date.parse(r.finishedAt)));
  const sum = runs.reduce((n, r) => n + r.wallSeconds, 0);
  const revisions = [...new Set(runs.map((r) => (r.gitRevision ? r.gitRevision.slice(0, 7) + (r.gitDirty ? ' (dirty)' : '') : 'unknown')))];
  const missing = ids.filter((id) => !runs.some((r) => r.id === id));
  const span = revisions.length === 1 ? `${minutes((end - start) / 1000)} from the first start to the last finish, ` : '';
  const reused = runs.map((r) => ({ id: r.id, training: reusedMetaTrainSeconds(path.join(resultsRoot, r.id), r.wallSeconds) })).filter((r) => r.training > 0);
  const reusedTraining = reused.reduce((n, r) => n + r.training, 0);
  const reusedNote = reused.length
    ? ` (${reused.map((r) => r.id).join(', ')} reused trained checkpoints of an earlier run of the same training config; ` +
      `counting the ${minutes(reusedTraining)} of meta-training their metrics.json record, ${minutes(sum + reusedTraining)})`
    : '';
  return (
    `Wall time of the committed default-scale results (${runs.length} of ${ids.length} experiments${missing.length ? `; missing: ${missing.join(', ')}` : ''}): ` +
    `${span}${minutes(sum)} summed over the experiments${reusedNote}; ` +
    (revisions.length === 1 ? `revision ${revisions[0]}.` : `written by runs at revisions ${revisions.join(', ')}, so no single run's span.`)
  );
}
