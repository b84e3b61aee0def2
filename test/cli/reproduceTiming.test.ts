import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { reproduceTiming, writeReproduceTiming } from '../../src/cli/reproduceTiming';
import type { Notebook } from '../../src/cli/notebooks';
import { withResultsRoot } from '../helpers/tmpDir';

const notebook = (id: string) => ({ id, name: `01-${id}`, number: 1, file: `${id}.ipynb` }) as unknown as Notebook;
const runs = [
  { notebook: notebook('a'), ok: true, seconds: 30 },
  { notebook: notebook('b'), ok: false, seconds: 12.5 },
];
const machine = { cpus: 2, cpuModel: 'test', totalMemGiB: 1, platform: 'test' };

describe('reproduce wall-time record', () => {
  it('sums the notebooks and spans start to finish, keeping each notebook and its outcome', () => {
    const r = reproduceTiming(runs, { scale: 'default', jobs: 2, matMulChoice: 'auto', git: { revision: 'abc', dirty: false }, machine, startedMs: 1_000, finishedMs: 41_000 });
    assert.equal(r.notebookSecondsSum, 42.5);
    assert.equal(r.spanSeconds, 40);
    assert.deepEqual(r.notebooks, [{ id: 'a', ok: true, seconds: 30 }, { id: 'b', ok: false, seconds: 12.5 }]);
    assert.equal(r.startedAt, new Date(1_000).toISOString());
  });

  it('refuses a finish before the start', () => {
    assert.throws(() => reproduceTiming(runs, { scale: 'default', jobs: 1, matMulChoice: 'auto', git: { revision: null, dirty: null }, machine, startedMs: 5, finishedMs: 4 }), /precedes/);
  });

  it('writes results/bench/reproduce-<scale>.json under the results root', () =>
    withResultsRoot('reproduce-timing', async (root) => {
      const file = writeReproduceTiming(runs, { scale: 'smoke', jobs: 2, startedMs: 0, finishedMs: 2_000 });
      assert.equal(file, path.join(root, 'bench', 'reproduce-smoke.json'));
      const written = JSON.parse(fs.readFileSync(file, 'utf8'));
      assert.equal(written.spanSeconds, 2);
      assert.equal(written.notebooks.length, 2);
    }));
});
