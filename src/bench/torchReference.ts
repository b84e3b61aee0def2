/**
 * The PyTorch side of the benchmark: bench/torch_workloads.py run by Debian's /usr/bin/python3 with python3-torch,
 * on the weights and inputs a workload exports (so both sides compute the same function on the same numbers).
 * When torch is missing every call reports why instead of failing, so `npm run bench -- --compare` and the parity
 * test can skip with a clear message.
 */
import * as tf from '@tensorflow/tfjs';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { repoRoot } from '../core/paths';
import type { WorkloadInstance } from './workloads';

export const TORCH_PYTHON = process.env.METADYN_TORCH_PYTHON ?? '/usr/bin/python3';
export const TORCH_SCRIPT = 'bench/torch_workloads.py';
export const TORCH_INSTALL_HINT = 'sudo apt-get install -y --no-install-recommends python3-torch';

/** null when `python3 -c 'import torch'` works, otherwise the reason it does not. */
export function torchUnavailable(): string | null {
  if (!fs.existsSync(TORCH_PYTHON)) return `${TORCH_PYTHON} does not exist (install Debian's python3 and python3-torch: ${TORCH_INSTALL_HINT})`;
  const r = spawnSync(TORCH_PYTHON, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' });
  if (r.status !== 0) return `PyTorch is not installed for ${TORCH_PYTHON} (${TORCH_INSTALL_HINT})`;
  return null;
}

/** The torch version, or null when unavailable. */
export function torchVersion(): string | null {
  const r = spawnSync(TORCH_PYTHON, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

/** Writes the workload's weights and inputs to a fresh temporary JSON file; returns its path. */
export function exportWorkload(w: WorkloadInstance, dir = fs.mkdtempSync(path.join(os.tmpdir(), 'metadyn-bench-'))): string {
  const file = path.join(dir, `${w.info.name}.json`);
  fs.writeFileSync(file, JSON.stringify(w.exportJson()));
  return file;
}

/**
 * PyTorch and its BLAS on `threads` threads (OpenMP, OpenBLAS and MKL read these when the library loads; the script's
 * --threads also calls torch.set_num_threads). One by default, like the wasm backend: OpenBLAS's spinning threads
 * collapse when the cores are shared (a 2 ms HNN step took 100 ms beside other runs).
 */
function torchEnv(threads: number): NodeJS.ProcessEnv {
  const n = String(threads);
  return { ...process.env, OMP_NUM_THREADS: n, OPENBLAS_NUM_THREADS: n, MKL_NUM_THREADS: n };
}

function runTorch(args: string[], threads = 1): unknown {
  const r = spawnSync(TORCH_PYTHON, [path.join(repoRoot(), TORCH_SCRIPT), ...args, '--threads', String(threads)], { encoding: 'utf8', maxBuffer: 1 << 28, env: torchEnv(threads) });
  if (r.status !== 0) throw new Error(`${TORCH_SCRIPT} ${args.join(' ')} failed (exit ${r.status}): ${(r.stderr || r.stdout).trim().split('\n').slice(-3).join(' | ')}`);
  return JSON.parse(r.stdout);
}

export interface TorchCheck {
  loss: number;
  /** flattened, in the order of the exported params */
  grads: number[][];
}

/** Loss and gradients in float64 at the exported weights. */
export function torchCheck(file: string): TorchCheck {
  return runTorch(['--check', file]) as TorchCheck;
}

export interface TorchTiming {
  medianMs: number;
  minMs: number;
  repetitions: number;
  torchVersion: string;
  /** torch.get_num_threads() during the run */
  threads: number;
  /** the BLAS libtorch resolved (Debian's alternatives: OpenBLAS or the reference BLAS) */
  blas?: string;
}

/** One float32 product [n, k] × [k, m]: median µs over the repetitions and the GFLOP/s it makes (2nkm flops). */
export interface MatMulTiming {
  shape: [number, number, number];
  medianUs: number;
  gflops: number;
}

/** PyTorch's matrix-product speed on the same shapes, one thread (bench/torch_workloads.py --matmul). */
export function torchMatMul(shapes: readonly [number, number, number][], iterations: number, warmup: number): MatMulTiming[] {
  const r = runTorch(['--matmul', shapes.map((s) => s.join('x')).join(','), '--iterations', String(iterations), '--warmup', String(warmup)]) as { products: MatMulTiming[] };
  return r.products;
}

/** "1 thread", "2 threads" */
export const threadLabel = (n: number): string => `${n} thread${n === 1 ? '' : 's'}`;

/** ms per float32 training step (loss, backward, Adam, loss.item()) from the exported weights, on `threads` threads. */
export function torchBench(file: string, iterations: number, warmup: number, threads: number): TorchTiming {
  return runTorch(['--bench', file, '--iterations', String(iterations), '--warmup', String(warmup)], threads) as TorchTiming;
}

/** max_i |a_i − b_i| / max_i |b_i| (the absolute difference when b is all zeros) */
export function relativeMaxDifference(ours: ArrayLike<number>, ref: readonly number[]): number {
  if (ours.length !== ref.length) throw new Error(`relativeMaxDifference: lengths ${ours.length} and ${ref.length} differ`);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < ref.length; i++) {
    diff = Math.max(diff, Math.abs(ours[i] - ref[i]));
    scale = Math.max(scale, Math.abs(ref[i]));
  }
  return scale === 0 ? diff : diff / scale;
}

export interface Parity {
  workload: string;
  loss: { ours: number; torch: number; relativeDifference: number };
  /** per differentiated tensor, relative to its largest entry */
  gradientRelativeDifferences: number[];
  worstGradientRelativeDifference: number;
  /** tensors alive before creating the workload and after disposing it */
  tensorsBefore: number;
  tensorsAfter: number;
}

/** Loss and gradients of the workload (float32, ours) against PyTorch in float64 on the same exported weights. */
export function checkParity(create: () => WorkloadInstance, dir?: string): Parity {
  const tensorsBefore = tf.memory().numTensors;
  const w = create();
  const file = exportWorkload(w, dir);
  const { loss, grads } = w.lossAndGrads();
  const ours = { loss: loss.dataSync()[0], grads: grads.map((g) => g.dataSync()) };
  tf.dispose([loss, ...grads]);
  const workload = w.info.name;
  w.dispose();
  const tensorsAfter = tf.memory().numTensors;
  const ref = torchCheck(file);
  if (ref.grads.length !== ours.grads.length) throw new Error(`${workload}: ${ours.grads.length} gradients but PyTorch returned ${ref.grads.length}`);
  const gradientRelativeDifferences = ref.grads.map((g, i) => relativeMaxDifference(ours.grads[i], g));
  return {
    workload,
    loss: { ours: ours.loss, torch: ref.loss, relativeDifference: Math.abs(ours.loss - ref.loss) / Math.abs(ref.loss) },
    gradientRelativeDifferences,
    worstGradientRelativeDifference: Math.max(...gradientRelativeDifferences),
    tensorsBefore,
    tensorsAfter,
  };
}
