import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { initBackend } from '../../src/core/backend';
import { ConfigError } from '../../src/core/errors';
import { createRng } from '../../src/core/rng';
import { describeDimensions, dimensionEstimates, dimensionStudyDir, dimensionStudyOf, readDimensionStudy, uniformBoxDraws } from '../../src/experiments/imodeDimensionStudy';
import { runImodeFamily } from '../../src/experiments/imodeFamilyExperiment';
import { imodeSummaryTable } from '../../src/experiments/imodeSummary';
import { imodeVanDerPol } from '../../src/experiments/imodeVanDerPol';
import { imodeFamilyById } from '../../src/experiments/registry';
import { withResultsRoot } from '../helpers/tmpDir';

describe('experiments/imodeDimensionStudy (intrinsic dimension of η over a dense sample)', () => {
  before(async () => {
    await initBackend();
  });

  it('draws uniformly inside the training box and refuses a bad count', () => {
    const box = { paramLow: [1, 10], paramHigh: [2, 30] };
    const draws = uniformBoxDraws(box, 400, createRng(3));
    assert.equal(draws.length, 400);
    assert.ok(draws.every((d) => d[0] >= 1 && d[0] <= 2 && d[1] >= 10 && d[1] <= 30));
    const mean = draws.reduce((s, d) => s + d[1], 0) / draws.length;
    assert.ok(Math.abs(mean - 20) < 1.5, `mean ${mean} of U(10, 30)`);
    for (const n of [0, -1, 2.5, Number.NaN]) assert.throws(() => uniformBoxDraws(box, n, createRng(1)), (e: Error) => e instanceof ConfigError && e.message.includes('extraInstances'));
  });

  it('on a curved one-parameter family in 4-D, PCA counts more than one dimension where TwoNN and Levina–Bickel find one', () => {
    const rng = createRng(11);
    const curve = Array.from({ length: 200 }, () => {
      const t = rng.uniformIn(0, 3 * Math.PI);
      return [Math.cos(t), Math.sin(t), 0.3 * t, 0.1 * Math.cos(2 * t)];
    });
    const e = dimensionEstimates(curve);
    assert.ok(e.pca99 >= 2, `PCA ${e.pca99}`);
    assert.ok(Math.abs(e.twoNN.dimension - 1) < 0.25, `TwoNN ${e.twoNN.dimension}`);
    assert.ok(Math.abs(e.levinaBickel['k=10'].dimension - 1) < 0.25, `Levina–Bickel ${e.levinaBickel['k=10'].dimension}`);
  });

  it('describes the estimates in one line, and says why when they are undefined', () => {
    const square = [[0, 0], [1, 0], [0, 1], [1, 1.1], [0.5, 0.4], [0.2, 0.9]];
    assert.match(describeDimensions(square), /^over 6 adapted η: PCA \(99 %\) 2, TwoNN [0-9.]+ ± [0-9.]+, Levina–Bickel \(k=5\) [0-9.]+$/);
    assert.match(describeDimensions([[0, 0], [0, 0], [1, 1]]), /undefined: TwoNN: point 0 is repeated/);
  });

  it("a smoke study reuses the experiment's model: its own instances' η are the experiment's exactly, and the extra draws add points", async function () {
    this.timeout(300000);
    await withResultsRoot('metadyn-dimension-', async (root) => {
      const { dir } = await runImodeFamily(imodeVanDerPol, 'smoke');
      const metrics = JSON.parse(fs.readFileSync(path.join(dir, 'metrics.json'), 'utf8'));
      const checkpoints = fs.readdirSync(path.join(dir, 'checkpoints')).sort();
      const { dir: out, study } = await imodeFamilyById('imode-van-der-pol').dimensionStudy('smoke', 6, {});
      assert.deepEqual(fs.readdirSync(path.join(dir, 'checkpoints')).sort(), checkpoints, 'the study trains nothing anew');
      assert.equal(out, dimensionStudyDir('imode-van-der-pol', 'smoke'));
      assert.ok(out.startsWith(root));
      const own = (metrics.instances as { eta: number[] }[]).map((i) => i.eta);
      assert.equal(study.experimentOnly.points, own.length);
      assert.equal(study.dense.points, own.length + 6);
      assert.equal(study.extra.length, 6);
      assert.ok(study.extra.every((x) => x.eta.length === study.etaDim && x.eta.every(Number.isFinite)));
      assert.equal(study.experimentOnly.twoNN.dimension, dimensionEstimates(own).twoNN.dimension, "the experiment's η, bit for bit");
      const written = JSON.parse(fs.readFileSync(path.join(out, 'dimension.json'), 'utf8'));
      assert.equal(written.provenance.seed, metrics.provenance.seed);
      assert.match(fs.readFileSync(path.join(out, 'dimension.md'), 'utf8'), /\| η of \| N \| PCA \(99 %\) \| TwoNN ± s\.e\. \|/);
      assert.equal(readDimensionStudy(path.join(root, 'smoke'), 'imode-van-der-pol')?.dense.points, own.length + 6);
      assert.equal(readDimensionStudy(root, 'imode-van-der-pol'), null, 'the default scale has none');
      assert.equal(dimensionStudyOf('imode-van-der-pol', 'smoke')?.extraInstances, 6);
      assert.equal(dimensionStudyOf('imode-van-der-pol', 'default'), null);
      const row = imodeSummaryTable(path.join(root, 'smoke')).table.rows.find((r) => r[0] === 'imode-van-der-pol')!;
      assert.match(String(row[6]), new RegExp(`^[0-9.]+ ± [0-9.]+ / ${study.dense.pca99} \\(${own.length + 6}\\)$`), 'the summary shows the dense sample beside the experiment\'s TwoNN');
    });
  });
});
