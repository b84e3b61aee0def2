/**
 * Error types that tell the user what to fix. Every message names the offending field (or file and line) and,
 * where there is a finite set, the allowed values. Also here: the positive-integer check that configs and specs of
 * every layer share.
 */

/** A configuration value is missing, of the wrong type, out of range or unknown. Raised before any work starts. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Throws a ConfigError naming `name` unless it is an integer ≥ 1. */
export function requirePositiveInteger(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) throw new ConfigError(`${name} must be a positive integer, got ${value}`);
}

/** An input file or dataset is malformed. `file` and `line` (1-based) locate the problem when known. */
export class DataError extends Error {
  readonly file?: string;
  readonly line?: number;
  constructor(message: string, where: { file?: string; line?: number } = {}) {
    const loc = where.file ? `${where.file}${where.line !== undefined ? `:${where.line}` : ''}: ` : '';
    super(`${loc}${message}`);
    this.name = 'DataError';
    this.file = where.file;
    this.line = where.line;
  }
}

/** Training produced a non-finite value. Carries what is needed to diagnose it. */
export class NonFiniteError extends Error {
  readonly step: number;
  readonly terms: Record<string, number>;
  constructor(step: number, terms: Record<string, number>, config: unknown) {
    super(
      `non-finite loss at step ${step}: ${JSON.stringify(terms)}; config ${JSON.stringify(config)}. ` +
        'The last good checkpoint was kept; lower the learning rate or check the data.',
    );
    this.name = 'NonFiniteError';
    this.step = step;
    this.terms = terms;
  }
}

/**
 * An adaptive ODE solver gave up: too many steps, or a non-finite error estimate (the field sent the state to NaN or
 * Inf). Evaluations that probe a model beyond its data catch this one error and record the rollout as diverged.
 */
export class SolverGaveUpError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SolverGaveUpError';
  }
}
