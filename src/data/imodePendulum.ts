/**
 * Loader for the iMODE authors' single-pendulum trajectories (StructuresComp/iMODE, data/pendulum/, commit 65b42bf;
 * see data/imode-pendulum/README.md): one file `{L}.txt` per length L, 1001 rows `theta,omega` on t = 0, 0.01, …, 10 s
 * of θ'' = −(10/L) sin θ from (π/2, 0).
 *
 * The instances come back in the authors' reading order (their `ks` list), because their task index i means
 * "the i-th file read": the first five (L = 1, 3, 5, 7, 9) are meta-training tasks, the rest are only adapted to.
 * All 1001 rows are kept; the authors' script drops the last one (`X[:, 0:-1]`), which callers do when they
 * reproduce it. Malformed input fails with the file and 1-based line, so a corrupted copy is found at once.
 * As iMODE instances (`asFamilyInstances`, ./imodeInstances.ts) the lengths are a family whose instances have one
 * trajectory each.
 */
import * as fs from 'fs';
import * as path from 'path';
import { ConfigError, DataError } from '../core/errors';
import type { ImodeInstance, Split } from './imodeInstances';

export interface PendulumInstance {
  /** pendulum length, from the file name */
  L: number;
  /** path of the file read */
  file: string;
  /** sample spacing in seconds */
  dt: number;
  /** [1001][2] = (θ, ω) */
  states: Float64Array[];
}

/** The order in which the authors' script reads the files (`ks` in iMODE_pendulum.py). */
export const IMODE_PENDULUM_ORDER: readonly number[] = [1, 3, 5, 7, 9, 2, 4, 6, 8, 10, 3.5, 5.1, 6.9];
/** The meta-training lengths: the first five of the order (`args.num_tasks = 5`). */
export const IMODE_TRAIN_LENGTHS: readonly number[] = [1, 3, 5, 7, 9];
export const IMODE_PENDULUM_DT = 0.01;
export const IMODE_PENDULUM_ROWS = 1001;

/** A decimal number as written in the files (no hex, no Infinity/NaN, no empty field). */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** Rows of `columns` comma-separated numbers, one state per line; a final newline is allowed, blank lines are not. */
export function parseTrajectoryText(text: string, file: string, opts: { columns: number }): Float64Array[] {
  if (text.trim() === '') throw new DataError('file is empty; expected rows of comma-separated numbers', { file });
  const lines = text.split(/\r?\n/);
  if (lines[lines.length - 1] === '') lines.pop();
  return lines.map((line, index) => {
    const where = { file, line: index + 1 };
    const fields = line.split(',');
    if (fields.length !== opts.columns) {
      throw new DataError(`expected ${opts.columns} comma-separated columns, found ${fields.length}: '${line}'`, where);
    }
    return Float64Array.from(fields, (field, column) => {
      const trimmed = field.trim();
      if (!DECIMAL.test(trimmed)) {
        throw new DataError(`column ${column + 1} is not a number: '${field}'`, where);
      }
      const value = Number(trimmed);
      if (!Number.isFinite(value)) throw new DataError(`column ${column + 1} is not finite: '${field}'`, where);
      return value;
    });
  });
}

/** The 13 instances in IMODE_PENDULUM_ORDER, read from dir (the folder holding the `{L}.txt` files). */
export function loadImodePendulum(dir: string): PendulumInstance[] {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    throw new DataError(`iMODE pendulum data directory not found: ${dir}`);
  }
  const fileOfLength = new Map<number, string>();
  for (const name of fs.readdirSync(dir).filter((n) => n.endsWith('.txt')).sort()) {
    const stem = name.slice(0, -'.txt'.length);
    const where = { file: path.join(dir, name) };
    if (!DECIMAL.test(stem)) throw new DataError(`file name must be the pendulum length L, e.g. 3.5.txt`, where);
    const L = Number(stem);
    if (!IMODE_PENDULUM_ORDER.includes(L)) {
      throw new DataError(`L=${L} is not one of the authors' lengths ${IMODE_PENDULUM_ORDER.join(', ')}`, where);
    }
    const previous = fileOfLength.get(L);
    if (previous !== undefined) throw new DataError(`L=${L} also given by ${previous}`, where);
    fileOfLength.set(L, where.file);
  }
  return IMODE_PENDULUM_ORDER.map((L) => {
    const file = fileOfLength.get(L);
    if (file === undefined) {
      throw new DataError(`missing file for L=${L}: expected ${path.join(dir, `${L.toFixed(1)}.txt`)}`);
    }
    const states = parseTrajectoryText(fs.readFileSync(file, 'utf8'), file, { columns: 2 });
    if (states.length !== IMODE_PENDULUM_ROWS) {
      throw new DataError(`expected ${IMODE_PENDULUM_ROWS} rows (t = 0…10 s, dt = 0.01), found ${states.length}`, {
        file,
      });
    }
    return { L, file, dt: IMODE_PENDULUM_DT, states };
  });
}

/** Role of a length in the authors' protocol: a training task, or an unseen one inside / outside the training range. */
export function splitOf(L: number): Split {
  if (!(L > 0) || !Number.isFinite(L)) throw new ConfigError(`L must be a positive finite length, got ${L}`);
  if (IMODE_TRAIN_LENGTHS.includes(L)) return 'train';
  const lo = Math.min(...IMODE_TRAIN_LENGTHS);
  const hi = Math.max(...IMODE_TRAIN_LENGTHS);
  return L < lo || L > hi ? 'extrapolate' : 'interpolate';
}

/** The lengths as the instances of a family with one trajectory each (label `L=…`, φ = [L]), in the given order. */
export function asFamilyInstances(instances: readonly PendulumInstance[]): ImodeInstance[] {
  return instances.map((ins) => ({ label: `L=${ins.L}`, params: [ins.L], split: splitOf(ins.L), trajectories: [ins.states] }));
}
