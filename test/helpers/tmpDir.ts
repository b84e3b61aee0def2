/** Temporary directories for tests, removed after the whole run (a root-level mocha hook). */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { withResultsRootAt } from '../../src/core/paths';

const created: string[] = [];

export function tmpDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  created.push(dir);
  return dir;
}

after(() => created.splice(0).forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

/** Runs `fn` with METADYN_RESULTS_ROOT pointing at a fresh temporary directory, restoring the variable after. */
export async function withResultsRoot<T>(prefix: string, fn: (root: string) => Promise<T>): Promise<T> {
  const root = tmpDir(prefix);
  return withResultsRootAt(root, () => fn(root));
}
