/**
 * npm run bench [-- options]: times the core workloads through the project's own modules and writes
 * results/bench/<workload>.json (median and min ms per step over the measured repetitions after warm-up ones, with
 * backend, tfjs version, machine, git revision, and the live tensor count before and after, which must match).
 *
 * Workloads (src/bench/workloads.ts): hnn, hnn-rank1, imode-rk4, imode-fo5, imode-so5 (issue 8's core steps), and
 * the whole experiment's training steps: one iMODE pendulum outer iteration at the default config (5 inner steps on
 * η for the 5 training lengths in one batched dopri5 rollout, then the Adam step), one test-time adaptation
 * (5 inner steps on one length), and one outer iteration at the authors' scale (paper config), ×200 the estimated
 * meta-training time; and `matmul`, one matrix product at the workloads' shapes on each side (the backends' raw
 * speed, which bounds what any restructuring of a step can reach), written to results/bench/matmul.json.
 *
 *   --compare            also run the PyTorch reference (bench/torch_workloads.py, Debian's python3-torch) on the
 *                        same weights and inputs right after each workload, and print ratio = ours / PyTorch
 *   --torch-threads 1,2  with --compare: run each workload's PyTorch reference once per thread count (default 1;
 *                        torch.set_num_threads and OMP/OPENBLAS/MKL_NUM_THREADS of its process), recorded in the
 *                        JSON's torchByThreads; `torch` stays the first count's. Ours runs in this one process, its
 *                        matrix products on METADYN_BLAS_THREADS OpenBLAS threads (the JSON's matMul says how many).
 *                        The matmul workload's PyTorch side stays at one thread
 *   --only a,b           run only these workloads
 *   --iterations N       measured repetitions of every workload (default: per workload)
 *   --warmup W           unmeasured repetitions first (default: per workload)
 *   --check              instead: loss and parameter gradients of every (or every --only) issue-8 workload against
 *                        PyTorch in float64 on the same weights, written to results/bench/parity.json
 *   --memory N           instead: N training steps of --memory-workload (default hnn), tensor count and RSS
 *                        sampled along the way, written to results/bench/memory-<workload>.json (run with
 *                        NODE_OPTIONS=--expose-gc to also sample RSS after a full garbage collection)
 *
 * Benchmarks are measurements, not tests: nothing here passes or fails on time. The exit code is non-zero only when
 * a workload leaks tensors.
 */
import * as tf from '@tensorflow/tfjs';
import * as path from 'path';
import { parseArgs } from 'util';
import { initBackend } from '../core/backend';
import { writeJsonAtomic } from '../core/atomicWrite';
import { ConfigError } from '../core/errors';
import { median } from '../analysis/metrics';
import { repoRoot } from '../core/paths';
import { type Provenance, startProvenance } from '../core/results';
import { createRng } from '../core/rng';
import { type ImodePendulumConfig, type PendulumData, imodePendulumConfig, loadPendulumData, pendulumModel, pendulumProblem, pendulumTrainingOptions } from '../experiments/imodePendulum';
import { adaptEta } from '../meta/imode';
import { disposeTaskBatch, windowBatch } from '../meta/taskBatch';
import { type ImodeTrained, metaTrain } from '../meta/imodeTraining';
import { type ImodeWorkloadSetup, type WorkloadName, IMODE_INNER_STEPS, IMODE_POINTS, IMODE_WINDOWS, WORKLOAD_NAMES, createWorkload } from '../bench/workloads';
import { type MatMulTiming, type Parity, type TorchTiming, checkParity, exportWorkload, threadLabel, torchBench, torchMatMul, torchUnavailable } from '../bench/torchReference';
import { runCli } from './notebooks';

/** The iMODE workloads' model and trajectory: the authors' pendulum model (paper scale) rolled out with RK4, and L = 1. */
export function imodeWorkloadSetup(): ImodeWorkloadSetup {
  const cfg = imodePendulumConfig('paper', { solver: 'rk4', substeps: 1, windowsPerTask: IMODE_WINDOWS, windowSteps: IMODE_POINTS, innerSteps: IMODE_INNER_STEPS });
  return { model: pendulumModel(cfg), trajectory: loadPendulumData(cfg).train[0] };
}

export interface Timing {
  medianMs: number;
  minMs: number;
  repetitions: number;
}

export function summariseTimings(ms: readonly number[]): Timing {
  if (ms.length === 0) throw new ConfigError('no repetitions were measured');
  return { medianMs: median(ms), minMs: Math.min(...ms), repetitions: ms.length };
}

const EXPERIMENT_WORKLOADS = ['imode-pendulum-outer-iteration', 'imode-pendulum-adaptation', 'imode-pendulum-paper-outer-iteration'] as const;
type ExperimentWorkload = (typeof EXPERIMENT_WORKLOADS)[number];
const ALL = [...WORKLOAD_NAMES, ...EXPERIMENT_WORKLOADS, 'matmul'] as const;

/**
 * Matrix-product shapes of the workloads: the HNN's hidden layers, the iMODE energy net's (20 windows and their
 * reflections), and a large one for the backend's peak.
 */
const MATMUL_SHAPES: [number, number, number][] = [
  [256, 100, 100],
  [40, 32, 32],
  [1024, 512, 512],
];

/** Repetitions that keep each workload near half a minute on this machine. */
const DEFAULT_REPS: Record<WorkloadName, { iterations: number; warmup: number }> = {
  hnn: { iterations: 200, warmup: 20 },
  'hnn-rank1': { iterations: 100, warmup: 10 },
  'imode-rk4': { iterations: 10, warmup: 2 },
  'imode-fo5': { iterations: 4, warmup: 1 },
  'imode-so5': { iterations: 2, warmup: 1 },
};
const EXPERIMENT_REPS = { iterations: 10, warmup: 2 };

interface Options {
  iterations?: number;
  warmup?: number;
}

function reps(defaults: { iterations: number; warmup: number }, o: Options) {
  return { iterations: o.iterations ?? defaults.iterations, warmup: o.warmup ?? defaults.warmup };
}

function common(p: Provenance) {
  return { backend: p.backend, matMul: p.matMul ?? null, tfjsVersion: p.tfjsVersion, machine: p.machine, node: p.node, gitRevision: p.gitRevision, gitDirty: p.gitDirty, measuredAt: p.finishedAt };
}

const outFile = (name: string) => path.join(repoRoot(), 'results', 'bench', `${name}.json`);

interface Row {
  name: string;
  oursMs: number;
  /** PyTorch's median per thread count run, in --torch-threads order (empty when not compared) */
  torch: { threads: number; medianMs: number }[];
  tensorsBefore: number;
  tensorsAfter: number;
}

/** What one call of `f` launches (tf.profile): kernel count, and wall ms per kernel name, largest first. */
export interface KernelProfile {
  kernels: number;
  /** the matrix products alone (BatchMatMul, _FusedMatMul): a floor under the step that no launch saving removes */
  matMulKernels: number;
  matMulMs: number;
  msByKernel: Record<string, { count: number; ms: number }>;
}

const MATMUL_KERNELS = new Set(['BatchMatMul', '_FusedMatMul']);

export async function profileKernels(f: () => unknown): Promise<KernelProfile> {
  const info = await tf.profile(() => {
    f();
  });
  const byName = new Map<string, { count: number; ms: number }>();
  for (const k of info.kernels) {
    const entry = byName.get(k.name) ?? { count: 0, ms: 0 };
    entry.count++;
    entry.ms += Number(k.kernelTimeMs);
    byName.set(k.name, entry);
  }
  const matMul = [...byName.entries()].filter(([name]) => MATMUL_KERNELS.has(name)).map(([, e]) => e);
  return {
    kernels: info.kernels.length,
    matMulKernels: matMul.reduce((n, e) => n + e.count, 0),
    matMulMs: matMul.reduce((n, e) => n + e.ms, 0),
    msByKernel: Object.fromEntries([...byName.entries()].sort((a, b) => b[1].ms - a[1].ms)),
  };
}

/** PyTorch's timing beside ours: both ratios ours / PyTorch. */
type TorchComparison = TorchTiming & { ratio: number; ratioOfMins: number };

/**
 * One issue-8 workload, then (with torchThreads) the PyTorch reference on the same exported weights once per thread
 * count.
 */
async function benchWorkload(name: WorkloadName, o: Options, torchThreads: readonly number[] | null): Promise<Row> {
  const { iterations, warmup } = reps(DEFAULT_REPS[name], o);
  const prov = startProvenance({ experiment: `bench-${name}`, paper: 'issue 8', section: 'performance', scale: 'bench', config: { iterations, warmup }, seed: 8 });
  const tensorsBefore = tf.memory().numTensors;
  const w = createWorkload(name, imodeWorkloadSetup);
  const torchFile = torchThreads ? exportWorkload(w) : null;
  const ms: number[] = [];
  let tensorsAfterWarmup = 0;
  for (let i = 0; i < warmup + iterations; i++) {
    const t0 = performance.now();
    w.step();
    if (i >= warmup) ms.push(performance.now() - t0);
    if (i === warmup - 1 || (warmup === 0 && i === 0)) tensorsAfterWarmup = tf.memory().numTensors;
  }
  const tensorsAfterSteps = tf.memory().numTensors;
  // Kernel launches per step: on wasm a step's cost is mostly its kernel count (toolchain.md §7), and unlike the
  // time it does not depend on what else the machine runs; and the wall time of its matrix products, which bounds
  // the step from below whatever the launch count. One extra, profiled step (not for the inner-loop workloads:
  // tf.profile's own bookkeeping overflows the call stack beyond ~10⁵ kernels).
  const profile = name === 'hnn' || name === 'hnn-rank1' || name === 'imode-rk4' ? await profileKernels(() => w.step()) : null;
  const info = w.info;
  w.dispose();
  const tensorsAfter = tf.memory().numTensors;
  const ours = summariseTimings(ms);
  const torch: TorchComparison[] = torchFile && torchThreads
    ? torchThreads.map((threads) => {
        const t = torchBench(torchFile, iterations, warmup, threads);
        if (t.threads !== threads) throw new Error(`${name}: PyTorch ran on ${t.threads} threads where ${threads} were asked for`);
        return { ...t, ratio: ours.medianMs / t.medianMs, ratioOfMins: ours.minMs / t.minMs };
      })
    : [];
  writeJsonAtomic(outFile(name), {
    ...common(prov.finish()),
    workload: info.description,
    differences: info.differences,
    ...ours,
    warmup,
    tensorsBefore,
    tensorsAfter,
    tensorsDuringSteps: { afterWarmup: tensorsAfterWarmup, afterLastStep: tensorsAfterSteps },
    profile,
    torch: torch[0] ?? null,
    torchByThreads: torch.length > 0 ? Object.fromEntries(torch.map((t) => [String(t.threads), t])) : null,
    issueTorchMs: info.issueTorchMs,
  });
  return { name, oursMs: ours.medianMs, torch: torch.map((t) => ({ threads: t.threads, medianMs: t.medianMs })), tensorsBefore, tensorsAfter };
}

/** Median µs of tf.matMul per shape (and GFLOP/s), then PyTorch's on the same shapes when comparing. */
function benchMatMul(o: Options, compare: boolean): MatMulTiming[][] {
  const { iterations, warmup } = reps({ iterations: 200, warmup: 20 }, o);
  const prov = startProvenance({ experiment: 'bench-matmul', paper: 'issue 8', section: 'performance', scale: 'bench', config: { shapes: MATMUL_SHAPES, iterations, warmup }, seed: 8 });
  const ours = MATMUL_SHAPES.map((shape): MatMulTiming => {
    const [n, k, m] = shape;
    const a = tf.randomNormal([n, k]) as tf.Tensor2D;
    const b = tf.randomNormal([k, m]) as tf.Tensor2D;
    const us: number[] = [];
    for (let i = 0; i < warmup + iterations; i++) {
      const t0 = performance.now();
      tf.matMul(a, b).dispose();
      if (i >= warmup) us.push((performance.now() - t0) * 1000);
    }
    tf.dispose([a, b]);
    const medianUs = median(us);
    return { shape, medianUs, gflops: (2 * n * k * m) / medianUs / 1e3 };
  });
  const torch = compare ? torchMatMul(MATMUL_SHAPES, iterations, warmup) : null;
  writeJsonAtomic(outFile('matmul'), {
    ...common(prov.finish()),
    workload: 'one float32 matrix product [n, k] × [k, m], one thread, median over the repetitions',
    repetitions: iterations,
    warmup,
    products: ours.map((p, i) => ({ shape: p.shape, ours: { medianUs: p.medianUs, gflops: p.gflops }, torch: torch ? { medianUs: torch[i].medianUs, gflops: torch[i].gflops } : null })),
  });
  return [ours, torch ?? []];
}

/** Meta-trains the pendulum for the config's outer iterations, timing each one (ms). */
function timedMetaTraining(cfg: ImodePendulumConfig, data: PendulumData): { trained: ImodeTrained; stamps: number[] } {
  const stamps: number[] = [];
  const rng = createRng(cfg.seed);
  let last = performance.now();
  const trained = metaTrain(pendulumProblem(cfg, data, rng), pendulumTrainingOptions(cfg), rng, {
    progress: {
      update: () => {
        const now = performance.now();
        stamps.push(now - last);
        last = now;
      },
      done: () => undefined,
    },
  });
  return { trained, stamps };
}

/** The default-config iMODE pendulum: outer iterations of metaTrain, then one adaptation per length. */
function benchExperiment(which: readonly ExperimentWorkload[], o: Options): Row[] {
  const { iterations, warmup } = reps(EXPERIMENT_REPS, o);
  const cfg = imodePendulumConfig('default', { outerIterations: warmup + iterations });
  const prov = startProvenance({ experiment: 'bench-imode-pendulum', paper: 'iMODE', section: 'performance', scale: 'default', config: cfg, seed: cfg.seed });
  const data = loadPendulumData(cfg);
  const tensorsBefore = tf.memory().numTensors;
  const { trained, stamps } = timedMetaTraining(cfg, data);
  const outer = summariseTimings(stamps.slice(warmup));
  const adaptMs: number[] = [];
  if (which.includes('imode-pendulum-adaptation')) {
    const model = pendulumModel(cfg);
    data.instances.forEach((ins, k) => {
      const batch = windowBatch([ins], createRng(k + 1), cfg.windowsPerTask, cfg.windowSteps);
      const t0 = performance.now();
      const r = adaptEta(model.makeField, trained.params, trained.eta0, batch, model.solver, model.inner, false);
      r.eta.dataSync();
      adaptMs.push(performance.now() - t0);
      r.eta.dispose();
      disposeTaskBatch(batch);
    });
  }
  tf.dispose([...trained.params, trained.eta0]);
  const tensorsAfter = tf.memory().numTensors;
  const c = { ...common(prov.finish()), tensorsBefore, tensorsAfter };
  const rows: Row[] = [];
  const write = (name: ExperimentWorkload, workload: string, t: Timing) => {
    writeJsonAtomic(outFile(name), { ...c, workload, ...t, config: cfg });
    rows.push({ name, oursMs: t.medianMs, torch: [], tensorsBefore, tensorsAfter });
  };
  if (which.includes('imode-pendulum-outer-iteration')) {
    write('imode-pendulum-outer-iteration', 'iMODE pendulum outer iteration (default config: 5 tasks × 20 windows × 100 steps, 5 Levenberg–Marquardt inner steps, dopri5 1e-4)', outer);
  }
  if (adaptMs.length > 0) {
    write('imode-pendulum-adaptation', 'iMODE pendulum test-time adaptation of one length (5 inner steps, 20 windows × 100 steps)', summariseTimings(adaptMs.slice(1)));
  }
  return rows;
}

/**
 * The authors' scale (the `paper` config: 200 outer iterations, 5 inner SGD steps, dopri5 1e-4): median ms per
 * outer iteration, and 200 × that as the estimated meta-training time.
 */
function benchPaperScale(o: Options): Row {
  const { iterations, warmup } = reps({ iterations: 5, warmup: 1 }, o);
  const cfg = imodePendulumConfig('paper', { outerIterations: warmup + iterations });
  const prov = startProvenance({ experiment: 'bench-imode-pendulum-paper', paper: 'iMODE', section: 'performance', scale: 'paper', config: cfg, seed: cfg.seed });
  const data = loadPendulumData(cfg);
  const tensorsBefore = tf.memory().numTensors;
  const { trained, stamps } = timedMetaTraining(cfg, data);
  tf.dispose([...trained.params, trained.eta0]);
  const tensorsAfter = tf.memory().numTensors;
  const t = summariseTimings(stamps.slice(warmup));
  const paperIterations = imodePendulumConfig('paper').outerIterations;
  writeJsonAtomic(outFile('imode-pendulum-paper-outer-iteration'), {
    ...common(prov.finish()),
    tensorsBefore,
    tensorsAfter,
    workload: "iMODE pendulum outer iteration at the authors' scale (paper config: 5 tasks × 20 windows × 100 steps, 5 first-order inner SGD steps, dopri5 1e-4)",
    ...t,
    estimatedMetaTrainingSeconds: { fromMedian: (t.medianMs * paperIterations) / 1000, fromMin: (t.minMs * paperIterations) / 1000, outerIterations: paperIterations },
    authorsCodeSeconds: 400,
    config: cfg,
  });
  return { name: 'imode-pendulum-paper-outer-iteration', oursMs: t.medianMs, torch: [], tensorsBefore, tensorsAfter };
}

function rss(): number {
  return Math.round((process.memoryUsage().rss / 2 ** 20) * 10) / 10;
}

/** N training steps of one workload, sampling the live tensor count and the process RSS (MiB). */
function memoryRun(name: WorkloadName, steps: number): void {
  const prov = startProvenance({ experiment: `bench-memory-${name}`, paper: 'issue 8', section: 'performance', scale: 'bench', config: { steps }, seed: 8 });
  const tensorsBefore = tf.memory().numTensors;
  const w = createWorkload(name, imodeWorkloadSetup);
  // With `node --expose-gc` (NODE_OPTIONS=--expose-gc) each sample also runs a full collection first: V8 collects
  // lazily, so raw RSS climbs for thousands of steps before a major GC even when nothing leaks.
  const gc = (globalThis as { gc?: () => void }).gc;
  const samples: { step: number; tensors: number; tensorMiB: number; rssMiB: number; rssAfterGcMiB: number | null; jsHeapMiB: number; wasmHeapMiB: number | null }[] = [];
  const every = Math.max(1, Math.round(steps / 20));
  const mib = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;
  const sample = (step: number) => {
    const mem = tf.memory();
    // The wasm module's linear memory only grows; its size is the heap the backend has asked for so far.
    const heap = (tf.backend() as unknown as { wasm?: { HEAPU8?: Uint8Array } }).wasm?.HEAPU8?.length;
    const raw = rss();
    if (gc) gc();
    samples.push({ step, tensors: mem.numTensors, tensorMiB: mib(mem.numBytes), rssMiB: raw, rssAfterGcMiB: gc ? rss() : null, jsHeapMiB: mib(process.memoryUsage().heapUsed), wasmHeapMiB: heap === undefined ? null : mib(heap) });
  };
  sample(0);
  const t0 = performance.now();
  for (let i = 1; i <= steps; i++) {
    w.step();
    if (i % every === 0 || i === steps) {
      sample(i);
      const last = samples[samples.length - 1];
      console.log(`step ${i}/${steps}: tensors ${last.tensors}, RSS ${last.rssMiB} MiB (after GC ${last.rssAfterGcMiB ?? 'n/a'}), JS heap ${last.jsHeapMiB} MiB, wasm heap ${last.wasmHeapMiB} MiB`);
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  w.dispose();
  const tensorsAfter = tf.memory().numTensors;
  // The first sample after warm-up (step `every`) is the reference: the heap grows to its working size in the first steps.
  const first = samples[1] ?? samples[0];
  const end = samples[samples.length - 1];
  writeJsonAtomic(outFile(`memory-${name}`), {
    ...common(prov.finish()),
    workload: w.info.description,
    steps,
    seconds,
    tensorsBefore,
    tensorsAfter,
    tensors: { start: samples[0].tensors, afterFirstSample: first.tensors, end: end.tensors },
    gcBeforeSamples: gc !== undefined,
    rssMiB: { start: samples[0].rssMiB, afterFirstSample: first.rssMiB, end: end.rssMiB, max: Math.max(...samples.map((s) => s.rssMiB)) },
    rssAfterGcMiB: { start: samples[0].rssAfterGcMiB, afterFirstSample: first.rssAfterGcMiB, end: end.rssAfterGcMiB },
    jsHeapMiB: { start: samples[0].jsHeapMiB, afterFirstSample: first.jsHeapMiB, end: end.jsHeapMiB },
    wasmHeapMiB: { start: samples[0].wasmHeapMiB, afterFirstSample: first.wasmHeapMiB, end: end.wasmHeapMiB },
    samples,
  });
  console.log(`memory ${name}: ${steps} steps in ${seconds.toFixed(0)} s; tensors ${samples[0].tensors} -> ${end.tensors}; RSS ${first.rssMiB} MiB (step ${first.step}) -> ${end.rssMiB} MiB`);
}

/** Tolerance of the parity check (float32 against float64), also the test's. */
export const PARITY_TOLERANCE = 1e-4;

function parityRun(names: readonly WorkloadName[]): number {
  const why = torchUnavailable();
  if (why) {
    console.log(`[bench] --check: skipped: ${why}`);
    return 0;
  }
  const prov = startProvenance({ experiment: 'bench-parity', paper: 'issue 8', section: 'performance', scale: 'bench', config: { names }, seed: 8 });
  const results: Parity[] = [];
  for (const name of names) {
    const p = checkParity(() => createWorkload(name, imodeWorkloadSetup));
    results.push(p);
    console.log(`${name}: loss rel. diff ${p.loss.relativeDifference.toExponential(2)}, worst gradient rel. diff ${p.worstGradientRelativeDifference.toExponential(2)}`);
  }
  writeJsonAtomic(outFile('parity'), { ...common(prov.finish()), tolerance: PARITY_TOLERANCE, reference: 'PyTorch float64 (bench/torch_workloads.py --check)', results });
  const ok = results.every((p) => p.loss.relativeDifference < PARITY_TOLERANCE && p.worstGradientRelativeDifference < PARITY_TOLERANCE && p.tensorsAfter === p.tensorsBefore);
  return ok ? 0 : 1;
}

function positiveInt(flag: string, v: string | undefined, allowZero = false): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < (allowZero ? 0 : 1)) throw new ConfigError(`${flag} must be a ${allowZero ? 'non-negative' : 'positive'} integer, got ${v}`);
  return n;
}

function fmt(ms: number): string {
  return ms >= 100 ? ms.toFixed(0) : ms.toFixed(1);
}

/** --torch-threads: distinct positive thread counts, in the order given. */
export function parseTorchThreads(v: string): number[] {
  const counts = v.split(',').map((s) => positiveInt('--torch-threads', s.trim()) as number);
  if (new Set(counts).size !== counts.length) throw new ConfigError(`--torch-threads lists a thread count twice: ${v}`);
  return counts;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      iterations: { type: 'string' },
      warmup: { type: 'string' },
      only: { type: 'string' },
      compare: { type: 'boolean', default: false },
      'torch-threads': { type: 'string' },
      check: { type: 'boolean', default: false },
      memory: { type: 'string' },
      'memory-workload': { type: 'string', default: 'hnn' },
    },
  });
  const o: Options = { iterations: positiveInt('--iterations', values.iterations), warmup: positiveInt('--warmup', values.warmup, true) };
  await initBackend();
  if (values.memory !== undefined) {
    const name = values['memory-workload'] as WorkloadName;
    if (!WORKLOAD_NAMES.includes(name)) throw new ConfigError(`--memory-workload must be one of ${WORKLOAD_NAMES.join(', ')}, got '${name}'`);
    memoryRun(name, positiveInt('--memory', values.memory) as number);
    return 0;
  }
  const only = values.only ? values.only.split(',').map((s) => s.trim()) : [...ALL];
  for (const n of only) if (!(ALL as readonly string[]).includes(n)) throw new ConfigError(`--only: unknown workload '${n}'; known: ${ALL.join(', ')}`);
  if (values.check) return parityRun(WORKLOAD_NAMES.filter((n) => only.includes(n)));
  if (values['torch-threads'] !== undefined && !values.compare) throw new ConfigError('--torch-threads needs --compare');
  const torchThreads = parseTorchThreads(values['torch-threads'] ?? '1');
  let compare = values.compare;
  if (compare) {
    const why = torchUnavailable();
    if (why) {
      console.log(`[bench] --compare: skipping the PyTorch side: ${why}`);
      compare = false;
    }
  }
  const rows: Row[] = [];
  for (const n of WORKLOAD_NAMES) {
    if (!only.includes(n)) continue;
    const row = await benchWorkload(n, o, compare ? torchThreads : null);
    rows.push(row);
    const vsTorch = row.torch.map((t) => `, PyTorch (${threadLabel(t.threads)}) ${fmt(t.medianMs)} ms, ratio ${(row.oursMs / t.medianMs).toFixed(2)}`).join('');
    console.log(`${n}: ours ${fmt(row.oursMs)} ms${vsTorch} (tensors ${row.tensorsBefore} -> ${row.tensorsAfter})`);
  }
  const experiments = EXPERIMENT_WORKLOADS.filter((n) => only.includes(n) && n !== 'imode-pendulum-paper-outer-iteration');
  if (experiments.length > 0) {
    for (const row of benchExperiment(experiments, o)) {
      rows.push(row);
      console.log(`${row.name}: median ${fmt(row.oursMs)} ms (tensors ${row.tensorsBefore} -> ${row.tensorsAfter})`);
    }
  }
  if (only.includes('imode-pendulum-paper-outer-iteration')) {
    const row = benchPaperScale(o);
    rows.push(row);
    console.log(`${row.name}: median ${fmt(row.oursMs)} ms, × 200 iterations ≈ ${((row.oursMs * 200) / 1000).toFixed(0)} s of meta-training`);
  }
  if (only.includes('matmul')) {
    const [ours, torch] = benchMatMul(o, compare);
    ours.forEach((p, i) => console.log(`matmul ${p.shape.join('×')}: ours ${p.gflops.toFixed(1)} GFLOP/s (${p.medianUs.toFixed(1)} µs)${torch[i] ? `, PyTorch ${torch[i].gflops.toFixed(1)} GFLOP/s (${torch[i].medianUs.toFixed(1)} µs)` : ''}`));
  }
  const shown = compare ? torchThreads : [];
  const head = shown.map((n) => ` PyTorch ${threadLabel(n)} (ms) | ratio |`).join('');
  console.log(`\n| workload | ours (ms) |${head}\n|---|---:|${shown.map(() => '---:|---:|').join('')}`);
  for (const r of rows) {
    const cells = shown.map((n) => {
      const t = r.torch.find((x) => x.threads === n);
      return t ? ` ${fmt(t.medianMs)} | ${(r.oursMs / t.medianMs).toFixed(2)} |` : ' — | — |';
    });
    console.log(`| ${r.name} | ${fmt(r.oursMs)} |${cells.join('')}`);
  }
  return rows.every((r) => r.tensorsAfter === r.tensorsBefore) ? 0 : 1;
}

if (require.main === module) runCli(main);
