/**
 * The timed runs of issue 8's core steps (src/bench/workloads.ts: hnn, hnn-rank1, imode-rk4, imode-fo5, imode-so5),
 * each with the PyTorch reference on the same exported weights under --compare, and `matmul`: one matrix product at
 * the workloads' shapes on each side (the backends' raw speed, which bounds what any restructuring of a step can
 * reach), written to results/bench/<workload>.json and results/bench/matmul.json. The iMODE workloads are handed
 * their model here (imodeWorkloadSetup), so that src/bench/ knows no experiment.
 */
import * as tf from '@tensorflow/tfjs';
import { writeJsonAtomic } from '../core/atomicWrite';
import { median } from '../analysis/metrics';
import { startProvenance } from '../core/results';
import { imodePendulumConfig, loadPendulumData, pendulumModel } from '../experiments/imodePendulum';
import { type ImodeWorkloadSetup, type WorkloadName, IMODE_INNER_STEPS, IMODE_POINTS, IMODE_WINDOWS, createWorkload } from '../bench/workloads';
import { type MatMulTiming, type TorchTiming, exportWorkload, torchBench, torchMatMul } from '../bench/torchReference';
import { type BenchOptions, type BenchRow, benchOutFile, benchProvenance, profileKernels, reps, summariseTimings } from './benchMeasurement';

/** The iMODE workloads' model and trajectory: the authors' pendulum model (paper scale) rolled out with RK4, and L = 1. */
export function imodeWorkloadSetup(): ImodeWorkloadSetup {
  const cfg = imodePendulumConfig('paper', { solver: 'rk4', substeps: 1, windowsPerTask: IMODE_WINDOWS, windowSteps: IMODE_POINTS, innerSteps: IMODE_INNER_STEPS });
  return { model: pendulumModel(cfg), trajectory: loadPendulumData(cfg).train[0] };
}

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

/** PyTorch's timing beside ours: both ratios ours / PyTorch. */
type TorchComparison = TorchTiming & { ratio: number; ratioOfMins: number };

/**
 * One issue-8 workload, then (with torchThreads) the PyTorch reference on the same exported weights once per thread
 * count.
 */
export async function benchWorkload(name: WorkloadName, o: BenchOptions, torchThreads: readonly number[] | null): Promise<BenchRow> {
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
  writeJsonAtomic(benchOutFile(name), {
    ...benchProvenance(prov.finish()),
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
export function benchMatMul(o: BenchOptions, compare: boolean): MatMulTiming[][] {
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
  writeJsonAtomic(benchOutFile('matmul'), {
    ...benchProvenance(prov.finish()),
    workload: 'one float32 matrix product [n, k] × [k, m], one thread, median over the repetitions',
    repetitions: iterations,
    warmup,
    products: ours.map((p, i) => ({ shape: p.shape, ours: { medianUs: p.medianUs, gflops: p.gflops }, torch: torch ? { medianUs: torch[i].medianUs, gflops: torch[i].gflops } : null })),
  });
  return [ours, torch ?? []];
}
