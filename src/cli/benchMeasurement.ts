/**
 * What every `npm run bench` measurement shares (./bench.ts): repetitions (measured ones after unmeasured warm-up
 * ones, per workload unless --iterations / --warmup say otherwise), their summary (median and min ms), the kernels one
 * call launches (tf.profile), the provenance fields of every results/bench/<name>.json, and the row each run reports.
 */
import * as tf from '@tensorflow/tfjs';
import * as path from 'path';
import { ConfigError } from '../core/errors';
import { median } from '../analysis/metrics';
import { baseResultsRoot } from '../core/paths';
import type { Provenance } from '../core/results';

export interface Timing {
  medianMs: number;
  minMs: number;
  repetitions: number;
}

export function summariseTimings(ms: readonly number[]): Timing {
  if (ms.length === 0) throw new ConfigError('no repetitions were measured');
  return { medianMs: median(ms), minMs: Math.min(...ms), repetitions: ms.length };
}

/** --iterations and --warmup: measured and unmeasured repetitions, each workload's own defaults where absent. */
export interface BenchOptions {
  iterations?: number;
  warmup?: number;
}

/** The repetitions of a run: the options where given, else the run's defaults. */
export function reps(defaults: { iterations: number; warmup: number }, o: BenchOptions) {
  return { iterations: o.iterations ?? defaults.iterations, warmup: o.warmup ?? defaults.warmup };
}

/** The provenance fields every results/bench/<name>.json carries. */
export function benchProvenance(p: Provenance) {
  return { backend: p.backend, matMul: p.matMul ?? null, tfjsVersion: p.tfjsVersion, machine: p.machine, node: p.node, gitRevision: p.gitRevision, gitDirty: p.gitDirty, measuredAt: p.finishedAt };
}

/** results/bench/<name>.json, under METADYN_RESULTS_ROOT when set (a trial or profiling run must not overwrite the committed timings) */
export const benchOutFile = (name: string, env: NodeJS.ProcessEnv = process.env) => path.join(baseResultsRoot(env), 'bench', `${name}.json`);

/** One line of the summary table bench prints: a workload, our median, PyTorch's where compared, and the tensor count. */
export interface BenchRow {
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
