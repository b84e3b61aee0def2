import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { initBackend } from '../../../src/core/backend';
import { readMetrics } from '../../../src/core/results';
import { IMODE_INNER_STEPS } from '../../../src/meta/imodeFieldMethod';
import { IMODE_ON_PAPER_B_ROWS, imodeOnPaperBDir, runImodeOnPaperB } from '../../../src/experiments/crossPaper/imodeOnPaperB';
import { crossPaperEntries, crossPaperTable } from '../../../src/experiments/crossPaper/table';
import { paperBPendulum } from '../../../src/experiments/paperBPendulum';
import { paperBStudiesById } from '../../../src/experiments/registry';
import { withResultsRoot } from '../../helpers/tmpDir';

describe('experiments/crossPaper/imodeOnPaperB (smoke)', () => {
  before(async () => {
    await initBackend();
  });

  it('writes metrics.json that the cross-paper table reads back, metrics.md and provenance; a rerun reuses the checkpoint', async () => {
    await withResultsRoot('imode-on-b-', async (root) => {
      const { dir, metrics } = await runImodeOnPaperB(paperBPendulum, 'smoke');
      assert.equal(dir, imodeOnPaperBDir('spd-pendulum', 'smoke'));
      assert.equal(path.relative(root, dir), path.join('smoke', 'cross-paper', 'imode-on-spd-pendulum'));
      const written = readMetrics(dir);
      assert.equal(written.experiment, 'spd-pendulum');
      assert.equal(written.scale, 'smoke');
      assert.equal(written.seed, metrics.seed);
      assert.deepEqual(
        metrics.methods.map((m) => [m.method, m.adaptSteps]),
        IMODE_ON_PAPER_B_ROWS.map((r) => [r.method, r.protocol === 'imode' ? IMODE_INNER_STEPS : 2]),
      );
      assert.equal(metrics.training.iterations, 2);
      assert.equal(metrics.training.iterationsRun, 2);
      metrics.methods.forEach((m) => {
        assert.equal(m.perInstance.length, 2, 'smoke has 2 test instances');
        m.perInstance.forEach((r) => assert.equal(r.code?.length, 3, 'η has latentDim entries'));
      });
      // the round trip through ./table.ts
      const entries = crossPaperEntries(root, 'smoke').filter((e) => e.system === 'spd-pendulum');
      assert.deepEqual(
        entries.map((e) => [e.method, e.fieldError, e.trajError]),
        metrics.methods.map((m) => [m.method, m.summary.fieldError.mean, m.summary.trajError.mean]),
      );
      const table = crossPaperTable(entries, ['spd-pendulum']);
      assert.deepEqual(table.rows.map((r) => r[0]), ['iMODE', 'iMODE + auto-decoding']);
      assert.ok(fs.existsSync(path.join(dir, 'provenance.json')));
      assert.match(fs.readFileSync(path.join(dir, 'metrics.md'), 'utf8'), /\| iMODE \+ auto-decoding \| 2 \|/);
      // through the registry, reusing the finished checkpoint: same numbers, no iteration run
      const again = await paperBStudiesById('spd-pendulum').imodeOnPaperB('smoke', {});
      assert.equal(again.metrics.training.iterationsRun, 0);
      assert.deepEqual(again.metrics.methods.map((m) => m.summary.fieldError), metrics.methods.map((m) => m.summary.fieldError));
    });
  });
});
