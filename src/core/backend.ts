/**
 * TensorFlow.js backend selection: tensorflow (tfjs-node, native) → wasm → cpu, first that initialises wins.
 * `METADYN_BACKEND` (or the `prefer` argument) forces one backend and fails loudly if it cannot start, so a run
 * never silently falls back to a slower or numerically different backend than the one asked for.
 * The chosen backend is printed once per process and recorded in every result's provenance. Under wasm the matrix
 * products run OpenBLAS where native/blas is built (./nativeMatMul.ts; METADYN_MATMUL chooses), and the line says so.
 */
import * as tf from '@tensorflow/tfjs';
import { matMulEngine } from './matMulEngine';
import { parseBlasThreads, parseMatMulChoice, useNativeMatMul } from './nativeMatMul';

export type BackendName = 'tensorflow' | 'wasm' | 'cpu';
export const BACKEND_ORDER: readonly BackendName[] = ['tensorflow', 'wasm', 'cpu'];

let announced: BackendName | null = null;

function registerBackend(name: BackendName): void {
  // Registration happens on require; tfjs-node is an optional dependency and is absent where libtensorflow
  // could not be downloaded.
  if (name === 'tensorflow') require('@tensorflow/tfjs-node');
  if (name === 'wasm') require('@tensorflow/tfjs-backend-wasm');
}

/** Initialise the first backend of the order that works; returns its name. Idempotent. */
export async function initBackend(prefer: string | undefined = process.env.METADYN_BACKEND): Promise<BackendName> {
  if (prefer !== undefined && prefer !== '' && !BACKEND_ORDER.includes(prefer as BackendName)) {
    throw new Error(`METADYN_BACKEND must be one of ${BACKEND_ORDER.join(', ')}, got '${prefer}'`);
  }
  const order: BackendName[] = prefer ? [prefer as BackendName] : [...BACKEND_ORDER];
  const failures: string[] = [];
  for (const name of order) {
    if (announced === name && tf.getBackend() === name) return name;
    try {
      registerBackend(name);
      if (await tf.setBackend(name)) {
        await tf.ready();
        let products = '';
        if (name === 'wasm') {
          shareStorageOnIdentity();
          const { engine, note } = useNativeMatMul(parseMatMulChoice(process.env.METADYN_MATMUL), parseBlasThreads(process.env.METADYN_BLAS_THREADS));
          products = ` (matMul: ${engine}${note && `; ${note}`})`;
        }
        if (announced !== name) {
          announced = name;
          console.log(`[metadyn] tfjs ${tf.version.tfjs} backend: ${name}${products}`);
        }
        return name;
      }
      failures.push(`${name}: setBackend returned false`);
    } catch (e) {
      failures.push(`${name}: ${(e as Error).message.split('\n')[0]}`);
    }
  }
  throw new Error(`no tfjs backend could start (${failures.join('; ')})`);
}

/** The backend currently active (after `initBackend`). */
export function currentBackend(): string {
  return tf.getBackend();
}

/**
 * What computes: the backend, and under wasm its matrix products ('wasm, matMul openblas 0.3.21, 1 thread'). Two runs
 * of one config give the same bits only on the same engine, so checkpoints record it (./checkpoint.ts).
 */
export function computeEngine(): string {
  return engineName(currentBackend(), matMulEngine());
}

/** An engine in computeEngine's words from its parts, e.g. a run's provenance (backend, and matMul under wasm). */
export function engineName(backend: string, matMul: string | undefined): string {
  return backend === 'wasm' ? `wasm, matMul ${matMul}` : backend;
}

let identityShared = false;

/**
 * wasm's Identity kernel copies its input into a fresh buffer. The engine runs it for every tensor a gradient saves
 * (`saveTensorsForBackwardMode` clones them) and for every tf.clone: a quarter of the kernels of an iMODE rollout's
 * training step, a tenth of its time. This replacement returns the same storage with one more reference, which the
 * backend's reference count already supports (its Reshape shares storage the same way, as the cpu backend's
 * Identity does); no wasm kernel writes into its inputs, so a shared buffer can never change under a saved tensor.
 * Measured (npm run bench): the iMODE RK4 step and the rank-one HNN step each ≈ 10 % faster.
 */
function shareStorageOnIdentity(): void {
  if (identityShared) return;
  tf.unregisterKernel('Identity', 'wasm');
  tf.registerKernel({
    kernelName: 'Identity',
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend }) => {
      const x = inputs.x as tf.TensorInfo;
      (backend as unknown as { incRef(dataId: object): void }).incRef(x.dataId);
      return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
    },
  });
  identityShared = true;
}
