/**
 * Config schemas, validation and hashing.
 *
 * A schema maps each field to its kind and bounds; `validateConfig` checks a raw object against it before any work
 * starts and reports every problem at once, each naming `where.field` and what would be accepted. A validated config
 * is frozen, and `configHash` (sha256 of its canonical JSON, keys sorted) identifies a run: equal configs give equal
 * hashes whatever their key order, which is what memoised results and checkpoints are keyed by.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import { ConfigError } from './errors';
import { repoPath } from './paths';

export type FieldKind = 'number' | 'integer' | 'boolean' | 'string' | 'enum' | 'numberArray' | 'file' | 'directory';

export interface FieldSpec {
  kind: FieldKind;
  /** inclusive lower bound (number, integer, each element of numberArray) */
  min?: number;
  /** inclusive upper bound */
  max?: number;
  /** strict lower bound, e.g. 0 for a step size */
  exclusiveMin?: number;
  /** allowed values of an enum */
  values?: readonly string[];
  optional?: boolean;
  doc: string;
}

export type Schema = Record<string, FieldSpec>;

type FieldValue<F extends FieldSpec> = F['kind'] extends 'number' | 'integer'
  ? number
  : F['kind'] extends 'boolean'
    ? boolean
    : F['kind'] extends 'numberArray'
      ? readonly number[]
      : F['kind'] extends 'enum'
        ? F['values'] extends readonly (infer V)[]
          ? V
          : string
        : string;

type RequiredKeys<S extends Schema> = { [K in keyof S]: S[K]['optional'] extends true ? never : K }[keyof S];
type OptionalKeys<S extends Schema> = Exclude<keyof S, RequiredKeys<S>>;

/** The TypeScript type of a config validated by schema `S` (declare the schema `as const` to keep enum literals). */
export type ConfigOf<S extends Schema> = { readonly [K in RequiredKeys<S>]: FieldValue<S[K]> } & {
  readonly [K in OptionalKeys<S>]?: FieldValue<S[K]>;
};

function describe(v: unknown): string {
  if (typeof v === 'string') return `'${v}'`;
  if (typeof v === 'number') return String(v);
  if (Array.isArray(v)) return 'an array';
  if (v === null) return 'null';
  return typeof v;
}

function checkBounds(name: string, v: number, spec: FieldSpec): string | null {
  if (spec.exclusiveMin !== undefined && !(v > spec.exclusiveMin)) return `${name} must be > ${spec.exclusiveMin}, got ${v}`;
  if (spec.min !== undefined && v < spec.min) return `${name} must be >= ${spec.min}, got ${v}`;
  if (spec.max !== undefined && v > spec.max) return `${name} must be <= ${spec.max}, got ${v}`;
  return null;
}

function checkNumber(name: string, v: unknown, spec: FieldSpec, integer: boolean): string | null {
  if (typeof v !== 'number') return `${name} must be a${integer ? 'n integer' : ' number'}, got ${describe(v)}`;
  if (!Number.isFinite(v)) return `${name} must be finite, got ${v}`;
  if (integer && !Number.isInteger(v)) return `${name} must be an integer, got ${v}`;
  return checkBounds(name, v, spec);
}

function checkPath(name: string, v: unknown, kind: 'file' | 'directory'): string | null {
  if (typeof v !== 'string' || v === '') return `${name} must be a non-empty ${kind} path, got ${describe(v)}`;
  const abs = repoPath(v);
  const stat = fs.statSync(abs, { throwIfNoEntry: false });
  if (!stat) return `${name}: ${kind} '${v}' does not exist (looked at ${abs})`;
  if (kind === 'file' ? !stat.isFile() : !stat.isDirectory()) return `${name}: '${v}' is not a ${kind} (looked at ${abs})`;
  return null;
}

function checkField(name: string, v: unknown, spec: FieldSpec): string | null {
  switch (spec.kind) {
    case 'number':
      return checkNumber(name, v, spec, false);
    case 'integer':
      return checkNumber(name, v, spec, true);
    case 'boolean':
      return typeof v === 'boolean' ? null : `${name} must be true or false, got ${describe(v)}`;
    case 'string':
      return typeof v === 'string' ? null : `${name} must be a string, got ${describe(v)}`;
    case 'enum': {
      const allowed = spec.values ?? [];
      return typeof v === 'string' && allowed.includes(v)
        ? null
        : `${name} must be one of ${allowed.map((a) => `'${a}'`).join(', ')}, got ${describe(v)}`;
    }
    case 'numberArray': {
      if (!Array.isArray(v)) return `${name} must be an array of numbers, got ${describe(v)}`;
      for (let i = 0; i < v.length; i++) {
        const problem = checkNumber(`${name}[${i}]`, v[i], spec, false);
        if (problem) return problem;
      }
      return null;
    }
    case 'file':
    case 'directory':
      return checkPath(name, v, spec.kind);
  }
}

/**
 * Check `raw` against `schema`; returns a frozen copy. Throws one ConfigError listing every problem: unknown keys
 * (with the allowed ones), missing required keys, wrong types, non-finite numbers, non-integers, out-of-range values,
 * enum values outside their list, and file/directory paths (repo-relative or absolute) that do not exist.
 */
export function validateConfig<C>(schema: Schema, raw: unknown, where = 'config'): Readonly<C> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ConfigError(`${where} must be an object, got ${describe(raw)}`);
  }
  const record = raw as Record<string, unknown>;
  const allowed = Object.keys(schema);
  const problems: string[] = [];
  for (const key of Object.keys(record)) {
    if (!(key in schema)) problems.push(`${where}.${key} is not a known field; allowed: ${allowed.join(', ')}`);
  }
  const out: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(schema)) {
    const name = `${where}.${key}`;
    const v = record[key];
    if (v === undefined) {
      if (!spec.optional) problems.push(`${name} is required (${spec.doc})`);
      continue;
    }
    const problem = checkField(name, v, spec);
    if (problem) problems.push(problem);
    else out[key] = Array.isArray(v) ? Object.freeze([...v]) : v;
  }
  if (problems.length > 0) throw new ConfigError(problems.join('; '));
  return Object.freeze(out) as Readonly<C>;
}

/** JSON with object keys sorted at every depth, so equal values serialise identically. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (key, v: unknown) => {
    if (typeof v === 'number' && !Number.isFinite(v)) {
      // JSON would turn NaN and ±Infinity into null, making different configs hash alike.
      throw new ConfigError(`cannot hash a non-finite number (${v}) at key '${key}'`);
    }
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
      const obj = v as Record<string, unknown>;
      return Object.fromEntries(Object.keys(obj).sort().map((k) => [k, obj[k]]));
    }
    return v;
  });
}

/** First 16 hex characters of sha256(canonical JSON): the identity of a run's config. */
export function configHash(config: unknown): string {
  return createHash('sha256').update(canonicalJson(config)).digest('hex').slice(0, 16);
}

/** The scales every experiment has: smoke (CI, seconds), default (README numbers, minutes), paper (the papers' settings, hours). */
export const CORE_SCALES = ['smoke', 'default', 'paper'] as const;
/**
 * Every scale: the core ones and 'converged', Paper B's budget at which its meta-learners have stopped improving
 * (the convergence study's finding; only the spd-* experiments have it: asking another for it is a ConfigError).
 */
export const SCALES = [...CORE_SCALES, 'converged'] as const;
export type Scale = (typeof SCALES)[number];
/** An experiment's configs by scale: every core scale, and optionally the others. */
export type ScaleTable<C> = Readonly<Record<(typeof CORE_SCALES)[number], C>> & Readonly<Partial<Record<Scale, C>>>;

/** The run scale from METADYN_SCALE (one of SCALES; unset: 'default'). */
export function scaleFromEnv(env: NodeJS.ProcessEnv = process.env): Scale {
  const v = env.METADYN_SCALE;
  if (v === undefined || v === '') return 'default';
  if ((SCALES as readonly string[]).includes(v)) return v as Scale;
  throw new ConfigError(`METADYN_SCALE must be one of ${SCALES.join(', ')}, got '${v}'`);
}
