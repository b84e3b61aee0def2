/**
 * npm run bench [-- options]: times the core workloads through the project's own modules and writes
 * results/bench/<workload>.json (median and min ms per step over the measured repetitions after warm-up ones, with
 * backend, tfjs version, machine, git revision, and the live tensor count before and after, which must match).
 *
 * Workloads: hnn, hnn-rank1, imode-rk4, imode-fo5, imode-so5 (issue 8's core steps, src/bench/workloads.ts) and
 * `matmul`, timed in ./benchWorkloadRuns.ts; imode-pendulum-outer-iteration, imode-pendulum-adaptation and
 * imode-pendulum-paper-outer-iteration (the whole experiment's training steps), timed in ./benchExperimentRuns.ts;
 * --check runs ./benchParity.ts and --memory ./benchMemory.ts; what every run shares (repetitions, timing summary,
 * provenance fields, the output file) is ./benchMeasurement.ts.
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
import { parseArgs } from 'util';
import { initBackend } from '../core/backend';
import { ConfigError } from '../core/errors';
import { type WorkloadName, WORKLOAD_NAMES } from '../bench/workloads';
import { threadLabel, torchUnavailable } from '../bench/torchReference';
import { EXPERIMENT_WORKLOADS, benchExperiment, benchPaperScale } from './benchExperimentRuns';
import type { BenchOptions, BenchRow } from './benchMeasurement';
import { memoryRun } from './benchMemory';
import { parityRun } from './benchParity';
import { benchMatMul, benchWorkload } from './benchWorkloadRuns';
import { runCli } from './commandLine';

const ALL = [...WORKLOAD_NAMES, ...EXPERIMENT_WORKLOADS, 'matmul'] as const;

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
  const o: BenchOptions = { iterations: positiveInt('--iterations', values.iterations), warmup: positiveInt('--warmup', values.warmup, true) };
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
  const rows: BenchRow[] = [];
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
