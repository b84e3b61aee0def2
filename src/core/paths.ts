/**
 * Repository-relative locations. Notebooks run with cwd `notebooks/`, mocha and the CLI with cwd at the root, so
 * every path is resolved from the directory whose package.json names this project, never from the cwd. Paths in
 * configs stay repo-relative (so a config hashes the same on every checkout) and are resolved here when used.
 */
import * as fs from 'fs';
import * as path from 'path';
import { ConfigError } from './errors';

export const PROJECT_NAME = 'metadyn-ts';

function packageName(file: string): string | undefined {
  try {
    const name: unknown = JSON.parse(fs.readFileSync(file, 'utf8')).name;
    return typeof name === 'string' ? name : undefined;
  } catch {
    // An unreadable package.json above the checkout belongs to some other project; keep walking.
    return undefined;
  }
}

/** The checkout's root: the nearest directory at or above `start` whose package.json has name "metadyn-ts". */
export function repoRoot(start: string = process.cwd()): string {
  let dir = path.resolve(start);
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg) && packageName(pkg) === PROJECT_NAME) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) {
      throw new Error(
        `no package.json with name "${PROJECT_NAME}" found in ${path.resolve(start)} or any parent directory; ` +
          'run from inside the metadyn-ts checkout',
      );
    }
    dir = parent;
  }
}

/** An absolute path for a repo-relative (or already absolute) path. */
export function repoPath(p: string): string {
  return path.isAbsolute(p) ? p : path.join(repoRoot(), p);
}

/** A name usable as one path segment: letters, digits, '.', '_', '-', not starting with '.' (so never '..'). */
export function isPathSegment(name: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name);
}

/** `results/<experimentId>`; the id must be a single path segment so a run can never write outside `results/`. */
export function resultsDir(experimentId: string): string {
  if (!isPathSegment(experimentId)) {
    throw new ConfigError(
      `experiment id must be one path segment of letters, digits, '.', '_' or '-', got '${experimentId}'`,
    );
  }
  return path.join(repoRoot(), 'results', experimentId);
}

/** The results root of every run: METADYN_RESULTS_ROOT when set, else the repository's results/. */
export function baseResultsRoot(env: NodeJS.ProcessEnv = process.env): string {
  return env.METADYN_RESULTS_ROOT ? repoPath(env.METADYN_RESULTS_ROOT) : path.join(repoRoot(), 'results');
}

/** `results/<experimentId>/checkpoints`, the git-ignored home of a run's checkpoints. */
export function checkpointsDir(experimentId: string): string {
  return path.join(resultsDir(experimentId), 'checkpoints');
}

/** `data/<parts...>`. */
export function dataDir(...parts: string[]): string {
  return path.join(repoRoot(), 'data', ...parts);
}

/**
 * Runs `fn` with METADYN_RESULTS_ROOT set to `root` (unset for null), restoring the variable after: every results and
 * checkpoint directory of a run follows it (../experiments/experiment.ts), so this is how one process runs another
 * results root's work (a seed of `npm run seeds`, a cell of `npm run cell`, a test).
 */
export async function withResultsRootAt<T>(root: string | null, fn: () => Promise<T>): Promise<T> {
  const previous = process.env.METADYN_RESULTS_ROOT;
  if (root === null) delete process.env.METADYN_RESULTS_ROOT;
  else process.env.METADYN_RESULTS_ROOT = root;
  try {
    return await fn();
  } finally {
    if (previous === undefined) delete process.env.METADYN_RESULTS_ROOT;
    else process.env.METADYN_RESULTS_ROOT = previous;
  }
}
