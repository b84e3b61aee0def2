/**
 * What the entry points of cli/ share: the repository root, the --scale flag, the run arguments of runNotebooks and
 * reproduce (`[--scale S] [--out DIR] [--jobs N] [ids...]`, with their defaults), and turning a main's result into
 * the exit code.
 */
import * as os from 'os';
import * as path from 'path';
import { parseArgs } from 'util';
import { SCALES, type Scale } from '../core/config';
import { ConfigError } from '../core/errors';

/** The repository root (this file is src/cli/commandLine.ts). */
export const REPO_ROOT = path.resolve(__dirname, '..', '..');

export function parseScale(value: string, field = '--scale'): Scale {
  if (!(SCALES as readonly string[]).includes(value)) {
    throw new ConfigError(`${field} must be one of ${SCALES.join(', ')}, got '${value}'`);
  }
  return value as Scale;
}

/** Smoke copies go outside the tree (they are throwaway); real runs go to results/notebooks/. */
export function defaultOutDir(scale: Scale, root = REPO_ROOT): string {
  return scale === 'smoke' ? path.join(os.tmpdir(), `metadyn-smoke-${process.pid}`) : path.join(root, 'results', 'notebooks');
}

/** One notebook per core, the default of `--jobs`. */
export function defaultJobs(): number {
  return os.availableParallelism();
}

export interface RunArgs {
  scale: Scale;
  outDir: string;
  ids: string[];
  /** notebooks executed at once */
  jobs: number;
}

const RUN_ARGS_USAGE = '[--scale smoke|default|paper|converged] [--out DIR] [--jobs N] [experiment-id ...]';

/** Parse `[--scale S] [--out DIR] [--jobs N] [ids...]` for runNotebooks and reproduce. */
export function parseRunArgs(argv: readonly string[], defaultScale: Scale, jobs = defaultJobs()): RunArgs {
  let parsed: { values: { scale?: string; out?: string; jobs?: string }; positionals: string[] };
  try {
    parsed = parseArgs({
      args: [...argv],
      options: { scale: { type: 'string' }, out: { type: 'string' }, jobs: { type: 'string' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (e) {
    throw new ConfigError(`${(e as Error).message}; usage: ${RUN_ARGS_USAGE}`);
  }
  const scale = parsed.values.scale === undefined ? defaultScale : parseScale(parsed.values.scale);
  const outDir = parsed.values.out ? path.resolve(parsed.values.out) : defaultOutDir(scale);
  if (parsed.values.jobs !== undefined) {
    jobs = Number(parsed.values.jobs);
    if (!/^\d+$/.test(parsed.values.jobs) || jobs < 1) throw new ConfigError(`--jobs must be a positive integer, got '${parsed.values.jobs}'`);
  }
  return { scale, outDir, ids: parsed.positionals, jobs };
}

/** `--set key=value` pairs as config overrides; a value is parsed as JSON where it is JSON, else kept as the string. */
export function parseOverrides(pairs: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new ConfigError(`--set takes key=value, got '${pair}'`);
    const raw = pair.slice(eq + 1);
    let value: unknown = raw;
    try {
      value = JSON.parse(raw);
    } catch {
      // not JSON: keep the string (paths, enum names)
    }
    out[pair.slice(0, eq)] = value;
  }
  return out;
}

export interface StudyArgs {
  scale: Scale;
  overrides: Record<string, unknown>;
  positionals: string[];
  /** the values of the command's own string options (`extra`), undefined where not given and without a default */
  options: Record<string, string | undefined>;
}

/**
 * Parse the arguments every study command shares, `[--scale S] [--set key=value ...] [positionals...]` (scale default
 * 'default'), plus the command's own string options `extra` (name → default, or undefined for none). An unknown
 * option is a ConfigError naming `usage`.
 */
export function parseStudyArgs(argv: readonly string[], usage: string, extra: Readonly<Record<string, string | undefined>> = {}): StudyArgs {
  const own = Object.fromEntries(Object.entries(extra).map(([name, value]) => [name, value === undefined ? { type: 'string' as const } : { type: 'string' as const, default: value }]));
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: { ...own, scale: { type: 'string', default: 'default' }, set: { type: 'string', multiple: true, default: [] } },
      allowPositionals: true,
      strict: true,
    });
  } catch (e) {
    throw new ConfigError(`${(e as Error).message}; usage: ${usage}`);
  }
  const { scale, set, ...rest } = parsed.values as Record<string, string | string[] | undefined>;
  return {
    scale: parseScale(scale as string),
    overrides: parseOverrides(set as string[]),
    positionals: parsed.positionals,
    options: Object.fromEntries(Object.keys(extra).map((name) => [name, rest[name] as string | undefined])),
  };
}

/** Run a CLI's main and turn its result into the exit code; a ConfigError is a usage problem (code 2). */
export function runCli(main: () => Promise<number>): void {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      const err = e as Error;
      console.error(err instanceof ConfigError ? `${err.name}: ${err.message}` : err.stack ?? String(e));
      process.exitCode = 2;
    },
  );
}
