/**
 * Native float32 matrix products for the wasm backend: its BatchMatMul kernel re-registered to call OpenBLAS's
 * cblas_sgemm (native/blas, built by `npm run setup`) on the wasm heap itself, where the backend keeps every tensor.
 *
 * Why: the wasm backend's products run XNNPACK in one WebAssembly thread at 27–34 GFLOP/s where OpenBLAS reaches
 * ~100 on the same core (issue "Throughput"), and the MLPs of both papers spend most of their time in products.
 * What it computes is the kernel's contract unchanged: for a [..., m, k] (or [..., k, m] with transposeA) and b
 * [..., k, n] (or [..., n, k] with transposeB), out[i] = op(a[i]) · op(b[i]) over the broadcast batch; a batch of
 * 1 on one side broadcasts, any other batch mismatch goes to the original kernel. Results differ from XNNPACK's by
 * float32 summation order only (tested to 1e-5 relative), so a run records which products it used (`matMulEngine`).
 *
 * Choice at run time: METADYN_MATMUL=openblas requires the addon (fails loudly without it), =xnnpack keeps the
 * backend's own kernel; unset, the addon is used when it is built. METADYN_BLAS_THREADS sets OpenBLAS's threads
 * (default 1: the pool and Slurm paths already run one process per core).
 */
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { ConfigError } from './errors';
import { matMulEngine, setMatMulEngine } from './matMulEngine';
import { repoRoot } from './paths';

/** The addon's functions (native/blas/metadyn_blas.c states their contract). */
export interface BlasAddon {
  batchSgemm(heap: Float32Array, aOffset: number, bOffset: number, cOffset: number, batch: number, aStride: number, bStride: number, m: number, n: number, k: number, transposeA: boolean, transposeB: boolean): void;
  setThreads(n: number): void;
  threads(): number;
  config(): string;
}

export type MatMulChoice = 'openblas' | 'xnnpack' | 'auto';

/** Where `npm run setup` builds the addon. */
export function blasAddonPath(root: string = repoRoot()): string {
  return path.join(root, 'native', 'blas', 'build', 'Release', 'metadyn_blas.node');
}

export function parseMatMulChoice(value: string | undefined): MatMulChoice {
  if (value === undefined || value === '') return 'auto';
  if (value === 'openblas' || value === 'xnnpack') return value;
  throw new ConfigError(`METADYN_MATMUL must be openblas or xnnpack (or unset: openblas where built), got '${value}'`);
}

export function parseBlasThreads(value: string | undefined): number {
  if (value === undefined || value === '') return 1;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1) throw new ConfigError(`METADYN_BLAS_THREADS must be a positive integer, got '${value}'`);
  return n;
}

/** The addon, or null where it is not built (or cannot load: the reason is returned). */
export function loadBlasAddon(file: string = blasAddonPath()): { addon: BlasAddon | null; reason: string } {
  if (!fs.existsSync(file)) return { addon: null, reason: `${path.relative(process.cwd(), file) || file} is not built (npm run setup builds it)` };
  try {
    return { addon: require(file) as BlasAddon, reason: '' };
  } catch (e) {
    return { addon: null, reason: `${file} does not load: ${(e as Error).message.split('\n')[0]}` };
  }
}

/** The parts of the wasm backend the kernel reads: tensors' heap offsets, output allocation, the heap itself. */
interface WasmBackendView {
  dataIdMap: { get(dataId: object): { memoryOffset: number } };
  makeOutput(shape: number[], dtype: 'float32'): tf.TensorInfo;
  wasm: { HEAPF32: Float32Array };
}

/** Shapes of one product as the kernel sees it: batch sizes of both sides, m, n, k and the output shape. */
export interface MatMulShape {
  batchA: number;
  batchB: number;
  m: number;
  n: number;
  k: number;
  outShape: number[];
}

/** The product's dimensions (tfjs's BatchMatMul conventions), or a message why the shapes do not multiply. */
export function matMulShape(aShape: readonly number[], bShape: readonly number[], transposeA: boolean, transposeB: boolean): MatMulShape | string {
  const [ra, rb] = [aShape.length, bShape.length];
  if (ra < 2 || rb < 2) return `matMul needs rank ≥ 2, got shapes [${aShape}] and [${bShape}]`;
  const k = transposeA ? aShape[ra - 2] : aShape[ra - 1];
  const kb = transposeB ? bShape[rb - 1] : bShape[rb - 2];
  if (k !== kb) return `inner dimensions ${k} and ${kb} of [${aShape}] and [${bShape}] differ`;
  const m = transposeA ? aShape[ra - 1] : aShape[ra - 2];
  const n = transposeB ? bShape[rb - 2] : bShape[rb - 1];
  const outerA = aShape.slice(0, -2);
  const outerB = bShape.slice(0, -2);
  let outer: number[];
  try {
    outer = tf.backend_util.assertAndGetBroadcastShape(outerA, outerB);
  } catch (e) {
    return (e as Error).message;
  }
  const size = (s: readonly number[]) => s.reduce((p, d) => p * d, 1);
  const [batchA, batchB, batch] = [size(outerA), size(outerB), size(outer)];
  // one side's batch is either the whole broadcast batch, in the same order, or a single matrix
  if (![1, batch].includes(batchA) || ![1, batch].includes(batchB)) return `batch shapes [${outerA}] and [${outerB}] broadcast over more than one side`;
  return { batchA, batchB, m, n, k, outShape: [...outer, m, n] };
}

/**
 * Replaces the wasm backend's BatchMatMul by OpenBLAS's (module comment), unless `choice` is xnnpack. Returns the
 * engine now in use. Call after the wasm backend is ready; idempotent.
 */
export function useNativeMatMul(choice: MatMulChoice, threads: number, load: () => { addon: BlasAddon | null; reason: string } = () => loadBlasAddon()): { engine: string; note: string } {
  if (choice === 'xnnpack') return { engine: matMulEngine(), note: 'METADYN_MATMUL=xnnpack' };
  const { addon, reason } = load();
  if (addon === null) {
    if (choice === 'openblas') throw new ConfigError(`METADYN_MATMUL=openblas, but ${reason}`);
    return { engine: matMulEngine(), note: reason };
  }
  addon.setThreads(threads);
  if (matMulEngine() === 'xnnpack') {
    const original = tf.getKernel('BatchMatMul', 'wasm');
    if (!original) throw new Error('the wasm backend has no BatchMatMul kernel to replace');
    tf.unregisterKernel('BatchMatMul', 'wasm');
    tf.registerKernel({ ...original, setupFunc: original.setupFunc, kernelFunc: (args) => nativeBatchMatMul(addon, original.kernelFunc, args) });
  }
  const version = /OpenBLAS (\S+)/.exec(addon.config())?.[1] ?? '?';
  setMatMulEngine(`openblas ${version}, ${addon.threads()} thread${addon.threads() === 1 ? '' : 's'}`);
  return { engine: matMulEngine(), note: '' };
}

type KernelArgs = Parameters<tf.KernelFunc>[0];

function nativeBatchMatMul(addon: BlasAddon, fallback: tf.KernelFunc, args: KernelArgs): tf.TensorInfo | tf.TensorInfo[] {
  const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
  const { transposeA, transposeB } = args.attrs as { transposeA: boolean; transposeB: boolean };
  const shape = a.dtype === 'float32' && b.dtype === 'float32' ? matMulShape(a.shape, b.shape, transposeA, transposeB) : 'not float32';
  if (typeof shape === 'string') return fallback(args); // the original kernel reports the error in its own words
  const backend = args.backend as unknown as WasmBackendView;
  const out = backend.makeOutput(shape.outShape, 'float32');
  // read after makeOutput: an allocation may grow the memory and replace the heap's buffer
  const heap = backend.wasm.HEAPF32;
  const offset = (t: tf.TensorInfo) => backend.dataIdMap.get(t.dataId).memoryOffset / 4;
  const { m, n, k, batchA, batchB } = shape;
  const batch = Math.max(batchA, batchB);
  addon.batchSgemm(heap, offset(a), offset(b), offset(out), batch, batchA === 1 ? 0 : m * k, batchB === 1 ? 0 : k * n, m, n, k, transposeA, transposeB);
  return out;
}
