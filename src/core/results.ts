/**
 * Result sets with provenance: `results/<experiment>/metrics.json` = { experiment, paper, section, scale,
 * provenance, ...metrics }, plus `provenance.json`, tables (CSV/Markdown), figure specs under `figures/` and any
 * extra files.
 *
 * Everything is validated and serialised before the first byte is written (a non-finite number anywhere, a bad file
 * name, or a metric key that would shadow the header throws and writes nothing), every file is written atomically,
 * and `metrics.json` is written last: its presence marks a complete result set, which is what memoised runs test.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { writeFileAtomic } from './atomicWrite';
import { configHash } from './config';
import { DataError } from './errors';
import { matMulEngine } from './matMulEngine';
import { isPathSegment, repoRoot } from './paths';

export interface Provenance {
  experiment: string;
  paper: string;
  section: string;
  scale: string;
  configHash: string;
  config: unknown;
  seed: number;
  backend: string;
  /** under wasm, the engine of the matrix products: 'xnnpack' or 'openblas <version>, <n> thread(s)' (absent in older runs) */
  matMul?: string;
  tfjsVersion: string;
  gitRevision: string | null;
  gitDirty: boolean | null;
  node: string;
  machine: { cpus: number; cpuModel: string; totalMemGiB: number; platform: string };
  startedAt: string;
  finishedAt: string;
  wallSeconds: number;
}

/**
 * The first line of every generated README section: scale, seed, backend, tfjs, git revision (dirty flagged), date, and
 * the command that regenerates it.
 */
export function provenanceLine(p: Provenance): string {
  const revision = p.gitRevision ? p.gitRevision.slice(0, 7) + (p.gitDirty ? ' (dirty)' : '') : 'unknown';
  return (
    `Scale \`${p.scale}\`, seed ${p.seed}, backend \`${p.backend}\`${p.matMul && p.matMul !== 'xnnpack' ? ` (matMul ${p.matMul})` : ''}, tfjs ${p.tfjsVersion}, revision ${revision}, ${p.finishedAt.slice(0, 10)}; ` +
    `regenerate with \`npm run reproduce -- ${p.experiment}\`.`
  );
}

export interface GitInfo {
  revision: string | null;
  dirty: boolean | null;
}

function git(cwd: string, args: string[]): string | null {
  try {
    return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return null;
  }
}

/**
 * HEAD's revision and whether the working tree differs from it; both null outside a git repository or before the
 * first commit. `results/` is left out of the dirty check, since every run writes there and would otherwise mark the
 * next one dirty.
 */
export function gitInfo(cwd: string): GitInfo {
  const head = git(cwd, ['rev-parse', '--verify', '--quiet', 'HEAD']);
  if (head === null) return { revision: null, dirty: null };
  const status = git(cwd, ['status', '--porcelain', '--', ':(top)', ':(top,exclude)results']);
  return { revision: head.trim(), dirty: status === null ? null : status.trim() !== '' };
}

export interface RunIdentity {
  experiment: string;
  paper: string;
  section: string;
  scale: string;
  config: unknown;
  seed: number;
}

export interface ProvenanceRecorder {
  /** The provenance of the run, timed from `startProvenance` to now; reads the backend in use now. */
  finish(): Provenance;
}

export function machineInfo(): Provenance['machine'] {
  const cpus = os.cpus();
  return {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    totalMemGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
  };
}

/** Start timing a run; the git state is read now, so it describes the code the run started with. */
export function startProvenance(run: RunIdentity): ProvenanceRecorder {
  const startedAt = new Date();
  const hash = configHash(run.config);
  const git = gitInfo(repoRoot());
  return {
    finish(): Provenance {
      const finishedAt = new Date();
      return {
        experiment: run.experiment,
        paper: run.paper,
        section: run.section,
        scale: run.scale,
        configHash: hash,
        config: run.config,
        seed: run.seed,
        // getBackend() is undefined until some tensor work (or initBackend) has chosen one.
        backend: tf.getBackend() ?? 'none',
        ...(tf.getBackend() === 'wasm' ? { matMul: matMulEngine() } : {}),
        tfjsVersion: tf.version.tfjs,
        gitRevision: git.revision,
        gitDirty: git.dirty,
        node: process.version,
        machine: machineInfo(),
        startedAt: startedAt.toISOString(),
        finishedAt: finishedAt.toISOString(),
        wallSeconds: (finishedAt.getTime() - startedAt.getTime()) / 1000,
      };
    },
  };
}

/** A figure spec as stored: Plotly's JSON (data traces and layout). */
export interface FigureJson {
  data: object[];
  layout: object;
  config?: object;
}

export interface ResultSet {
  metrics: Record<string, unknown>;
  provenance: Provenance;
  /** file name (ending .csv or .md) → content */
  tables?: Record<string, string>;
  /** name → spec, written to figures/<name>.json */
  figures?: Record<string, FigureJson>;
  /** relative path → content */
  extraFiles?: Record<string, string>;
}

export type MetricsFile = {
  experiment: string;
  paper: string;
  section: string;
  scale: string;
  provenance: Provenance;
} & Record<string, unknown>;

const HEADER_KEYS = ['experiment', 'paper', 'section', 'scale', 'provenance'] as const;

/** Throws DataError at the first value JSON would not round-trip: non-finite numbers, undefined, functions, typed arrays. */
function assertJsonSafe(value: unknown, where: string): void {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new DataError(`${where} is ${value}; results must be finite numbers`);
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((v, i) => assertJsonSafe(v, `${where}[${i}]`));
    return;
  }
  if (ArrayBuffer.isView(value)) throw new DataError(`${where} is a typed array; convert it with Array.from`);
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) assertJsonSafe(v, `${where}.${k}`);
    return;
  }
  throw new DataError(`${where} is ${typeof value === 'object' ? 'a non-plain object' : typeof value}; results must be JSON data`);
}

/** A relative path that stays inside the result directory. */
function assertInside(rel: string, where: string): void {
  const norm = path.normalize(rel);
  if (rel === '' || path.isAbsolute(rel) || norm === '..' || norm.startsWith(`..${path.sep}`)) {
    throw new DataError(`${where} '${rel}' must be a relative path inside the result directory`);
  }
}

function jsonText(value: unknown, where: string): string {
  assertJsonSafe(value, where);
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** Where `figures/<name>.json` of a result directory lives; the name is one path segment. */
export function figureFile(dir: string, name: string): string {
  if (!isPathSegment(name)) {
    throw new DataError(`figure name must be letters, digits, '.', '_' or '-', got '${name}'`);
  }
  return path.join(dir, 'figures', `${name}.json`);
}

/** Validate and serialise the whole set, then write it (metrics.json last). Returns the files written. */
export function writeResults(dir: string, set: ResultSet): string[] {
  const collision = HEADER_KEYS.find((k) => k in set.metrics);
  if (collision) throw new DataError(`metrics.${collision} would shadow the metrics.json header; rename the metric`);
  const files: [string, string][] = [];
  files.push([path.join(dir, 'provenance.json'), jsonText(set.provenance, 'provenance')]);
  for (const [name, text] of Object.entries(set.tables ?? {})) {
    assertInside(name, 'table');
    if (!/\.(csv|md)$/.test(name)) throw new DataError(`table '${name}' must end in .csv or .md`);
    files.push([path.join(dir, name), text]);
  }
  for (const [name, fig] of Object.entries(set.figures ?? {})) {
    files.push([figureFile(dir, name), jsonText(fig, `figures.${name}`)]);
  }
  for (const [rel, text] of Object.entries(set.extraFiles ?? {})) {
    assertInside(rel, 'extra file');
    files.push([path.join(dir, rel), text]);
  }
  const p = set.provenance;
  const metricsFile = { experiment: p.experiment, paper: p.paper, section: p.section, scale: p.scale, provenance: p, ...set.metrics };
  files.push([path.join(dir, 'metrics.json'), jsonText(metricsFile, 'metrics')]);

  const seen = new Set<string>();
  for (const [file] of files) {
    if (seen.has(file)) throw new DataError(`two outputs would both write ${file}`);
    seen.add(file);
  }
  for (const [file, text] of files) writeFileAtomic(file, text);
  return files.map(([file]) => file);
}

/** Read `<dir>/metrics.json`; DataError naming the file if it is missing, not JSON, or lacks the header. */
export function readMetrics(dir: string): MetricsFile {
  const file = path.join(dir, 'metrics.json');
  if (!fs.existsSync(file)) throw new DataError('no metrics.json here; run the experiment first', { file });
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new DataError(`not valid JSON (${(e as Error).message})`, { file });
  }
  const missing = HEADER_KEYS.filter((k) => typeof parsed !== 'object' || parsed === null || !(k in parsed));
  if (missing.length > 0) throw new DataError(`missing header field(s) ${missing.join(', ')}`, { file });
  return parsed as MetricsFile;
}

/** The short revision a run's provenance names, marked when the tree had uncommitted changes; 'unknown' outside git. */
export function revisionLabel(p: { gitRevision: string | null; gitDirty: boolean | null }): string {
  return p.gitRevision ? `${p.gitRevision.slice(0, 7)}${p.gitDirty ? ' (with uncommitted changes)' : ''}` : 'unknown';
}

/**
 * The meta-training seconds `<dir>/metrics.json` records (its model's and its gauge model's `metaTrainSeconds`), 0
 * without a metrics file or those fields. The trainer accumulates them across resumes, so a run that reused finished
 * checkpoints records more meta-training than its own wall time.
 */
function recordedMetaTrainSeconds(dir: string): number {
  if (!fs.existsSync(path.join(dir, 'metrics.json'))) return 0;
  const m = readMetrics(dir) as { metaTrainSeconds?: unknown; gaugeModel?: { metaTrainSeconds?: unknown } | null };
  const seconds = [m.metaTrainSeconds, m.gaugeModel?.metaTrainSeconds].filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  return seconds.reduce((n, v) => n + v, 0);
}

/**
 * The meta-training a run of wall time `wallSeconds` did not pay because it reused finished checkpoints: the seconds
 * `<dir>/metrics.json` records when they exceed the wall time, else 0 (a run that trained counts its training in its
 * wall time).
 */
export function reusedMetaTrainSeconds(dir: string, wallSeconds: number): number {
  const training = recordedMetaTrainSeconds(dir);
  return training > wallSeconds ? training : 0;
}

/** A JSON file's contents, null when the file does not exist; DataError naming the file when it is not JSON. */
export function readJsonOrNull<T>(file: string): T | null {
  if (!fs.existsSync(file)) return null;
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
  } catch (e) {
    throw new DataError(`not valid JSON (${(e as Error).message})`, { file });
  }
}
