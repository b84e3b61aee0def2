/**
 * Resumable runs: one JSON checkpoint per directory, `{ format, version, key, savedAt, state }`, written atomically.
 *
 * The key is the run's configHash, so a checkpoint left by a different config is ignored (a changed config trains
 * anew) and overwritten by the next save. A checkpoint that cannot be read is an error naming the file, never a
 * silent restart: hours of training are not thrown away without the user deciding to. Tensors are stored as
 * float32 values written as JSON doubles; every float32 is exactly a double and JSON prints the shortest string that
 * round-trips, so restored tensors are bit-identical (except −0, which JSON writes as 0; no arithmetic but 1/x
 * tells them apart).
 * A checkpoint also records the engine that computed it (backend and matrix products, ./backend.ts computeEngine):
 * the same config gives other bits on another engine, so resuming or reusing it there would mix two runs under one
 * provenance. Loading one written by another engine is an error naming both (checkpoints from before the engine was
 * recorded load as before).
 */
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { writeJsonAtomic } from './atomicWrite';
import { computeEngine } from './backend';
import { DataError } from './errors';

const FORMAT = 'metadyn-checkpoint';
const FORMAT_VERSION = 1;

export interface CheckpointStore<S> {
  /** the saved state if one exists under this key, else null */
  load(): S | null;
  save(state: S): void;
  clear(): void;
  readonly file: string;
}

interface CheckpointFile<S> {
  format: typeof FORMAT;
  version: number;
  key: string;
  /** computeEngine() of the run that wrote it (absent in checkpoints written before it was recorded) */
  engine?: string;
  savedAt: string;
  state: S;
}

function readCheckpoint<S>(file: string): CheckpointFile<S> | null {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
  let parsed: Partial<CheckpointFile<S>>;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new DataError(
      `corrupt checkpoint (${(e as Error).message}); delete the file to start this run from scratch`,
      { file },
    );
  }
  if (typeof parsed !== 'object' || parsed === null || parsed.format !== FORMAT || typeof parsed.key !== 'string' || !('state' in parsed)) {
    throw new DataError(`not a ${FORMAT} file; delete it to start this run from scratch`, { file });
  }
  if (parsed.version !== FORMAT_VERSION) {
    throw new DataError(
      `checkpoint format version ${parsed.version}, this code reads version ${FORMAT_VERSION}; delete it to start anew`,
      { file },
    );
  }
  return parsed as CheckpointFile<S>;
}

/** A store for `<dir>/checkpoint.json` keyed by `key` (the run's configHash), for runs computed by `engine`. */
export function checkpointStore<S>(dir: string, key: string, engine: string = computeEngine()): CheckpointStore<S> {
  const file = path.join(dir, 'checkpoint.json');
  return {
    file,
    load(): S | null {
      const cp = readCheckpoint<S>(file);
      if (cp === null || cp.key !== key) return null;
      if (cp.engine !== undefined && cp.engine !== engine) {
        throw new DataError(
          `checkpoint written by ${cp.engine}, this run computes with ${engine}: going on from it would mix two engines' bits under one provenance. Run with the engine it names (METADYN_BACKEND, METADYN_MATMUL, METADYN_BLAS_THREADS) or move the file aside to train anew`,
          { file },
        );
      }
      return cp.state;
    },
    save(state: S): void {
      const cp: CheckpointFile<S> = { format: FORMAT, version: FORMAT_VERSION, key, engine, savedAt: new Date().toISOString(), state };
      writeJsonAtomic(file, cp);
    },
    clear(): void {
      fs.rmSync(file, { force: true });
    },
  };
}

export interface TensorJson {
  shape: number[];
  values: number[];
}

/** A float32 tensor as plain JSON data. */
export function tensorToJson(t: tf.Tensor): TensorJson {
  if (t.dtype !== 'float32') throw new DataError(`tensorToJson stores float32 tensors, got ${t.dtype}`);
  return { shape: [...t.shape], values: Array.from(t.dataSync()) };
}

/** The float32 tensor stored by `tensorToJson`; DataError if shape and values disagree or a value is not finite. */
export function tensorFromJson(j: TensorJson): tf.Tensor {
  if (!Array.isArray(j.shape) || !j.shape.every((d) => Number.isInteger(d) && d >= 0)) {
    throw new DataError(`tensor shape must be non-negative integers, got ${JSON.stringify(j.shape)}`);
  }
  const size = j.shape.reduce((a, b) => a * b, 1);
  if (!Array.isArray(j.values) || j.values.length !== size) {
    throw new DataError(`tensor of shape [${j.shape}] needs ${size} values, got ${Array.isArray(j.values) ? j.values.length : typeof j.values}`);
  }
  const bad = j.values.findIndex((v) => typeof v !== 'number' || !Number.isFinite(v));
  if (bad >= 0) throw new DataError(`tensor value [${bad}] is ${j.values[bad]}, expected a finite number`);
  return tf.tensor(j.values, j.shape, 'float32');
}
