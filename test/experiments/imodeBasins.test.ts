import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { initBackend } from '../../src/core/backend';
import { ConfigError } from '../../src/core/errors';
import { basinsDir, basinsSummarySection, etaSpread } from '../../src/experiments/imodeBasins';
import { imodeBistable } from '../../src/experiments/imodeBistable';
import { runImodeFamily } from '../../src/experiments/imodeFamilyExperiment';
import { imodeFamilyById } from '../../src/experiments/registry';
import { withResultsRoot } from '../helpers/tmpDir';

describe('experiments/imodeBasins (identifiability of η: adaptation from several starts)', () => {
  before(async () => {
    await initBackend();
  });

  it('the spread of η is the RMS distance to their mean', () => {
    assert.equal(etaSpread([[0, 0], [2, 0], [0, 2], [2, 2]]), Math.SQRT2);
    assert.equal(etaSpread([[1, 5]]), 0);
  });

  it('names the families it runs on', () => {
    assert.equal(imodeFamilyById('imode-slinky').info.id, 'imode-slinky');
    assert.throws(() => imodeFamilyById('imode-pendulum'), (e: Error) => e instanceof ConfigError && /not an iMODE system family; known: imode-bistable, /.test(e.message));
  });

  it('a smoke run reads the gauge model from the experiment checkpoints: its start from η0 is step 2 exactly, no start fits worse than the best', async function () {
    this.timeout(300000);
    await withResultsRoot('metadyn-basins-', async (root) => {
      const { dir } = await runImodeFamily(imodeBistable, 'smoke');
      const metrics = JSON.parse(fs.readFileSync(path.join(dir, 'metrics.json'), 'utf8'));
      const checkpoints = fs.readdirSync(path.join(dir, 'checkpoints')).sort();
      const { dir: out, entries, model } = await imodeFamilyById('imode-bistable').basins('smoke', {});
      assert.deepEqual(fs.readdirSync(path.join(dir, 'checkpoints')).sort(), checkpoints, 'the check trains nothing anew');
      assert.equal(out, basinsDir('imode-bistable', 'smoke'));
      assert.ok(out.startsWith(root));
      assert.equal(model, 'gauge model');
      const instances = metrics.gaugeModel.instances as { instance: string; eta: number[] }[];
      assert.equal(entries.length, instances.length);
      entries.forEach((e, i) => {
        assert.equal(e.label, instances[i].instance);
        assert.deepEqual(e.fromEta0.eta, instances[i].eta, `${e.label}: the start from η0 is not step 2's adaptation`);
        assert.ok(e.best.loss <= e.fromEta0.loss && e.lossRatio <= 1 && Number.isFinite(e.distance));
        assert.equal(e.best.start === 'η0', e.lossRatio === 1, `${e.label}: best start ${e.best.start}, ratio ${e.lossRatio}`);
      });
      const written = JSON.parse(fs.readFileSync(path.join(out, 'basins.json'), 'utf8'));
      assert.equal(written.entries.length, entries.length);
      assert.equal(written.provenance.seed, metrics.provenance.seed);
      assert.match(fs.readFileSync(path.join(out, 'basins.md'), 'utf8'), /\| instance \| split \| η from η0 \|/);
      const section = basinsSummarySection(path.dirname(path.dirname(out)), ['imode-bistable', 'imode-slinky']) as string;
      const lines = section.trim().split('\n');
      assert.equal(lines.length, 3, section);
      assert.match(lines[2], new RegExp(`^\\| imode-bistable \\| gauge model \\| ${entries.length} \\| ${entries.filter((e) => e.lossRatio < 0.9).length} \\(`));
      assert.match(lines[2], /\| yes \|$/, 'the check ran on the config of the results beside it');
      assert.equal(basinsSummarySection(root, ['imode-bistable']), null);
      const provenance = path.join(dir, 'provenance.json');
      fs.writeFileSync(provenance, JSON.stringify({ ...JSON.parse(fs.readFileSync(provenance, 'utf8')), configHash: 'another' }));
      assert.match(basinsSummarySection(path.dirname(dir), ['imode-bistable']) as string, /\| no \(stale\) \|$/m);
      fs.rmSync(provenance);
      assert.match(basinsSummarySection(path.dirname(dir), ['imode-bistable']) as string, /\| no results \|$/m);
    });
  });
});
