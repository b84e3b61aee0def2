/** Temporary directories for tests, removed after the whole run (a root-level mocha hook). */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const created: string[] = [];

export function tmpDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  created.push(dir);
  return dir;
}

after(() => created.splice(0).forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));
