import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/core/backend';
import { DataError } from '../../src/core/errors';
import { createRng } from '../../src/core/rng';
import type { PaperBInstance } from '../../src/analysis/paperBEvaluation';
import { analyseLatents } from '../../src/experiments/imodeLatent';
import { PAPER_B_GAUGE_OPTIONS, formatGaugeError, latentGaugeSection, latentGaugeTable, latentPoints, methodGauge, runLatentGaugeStudy } from '../../src/experiments/paperBLatentGauge';
import { paperBMassSpring } from '../../src/experiments/paperBMassSpring';
import { methodsOf } from '../../src/meta/paperBMethods';
import { withResultsRoot } from '../helpers/tmpDir';

const instance = (split: 'train' | 'test', params: number[]): PaperBInstance => ({ label: params.join(','), split, params, trajectories: [] });

describe('experiments/paperBLatentGauge (the Neural Gauge on Paper B latents)', () => {
  it('latentPoints pairs training and test instances with their codes, the test ones as interpolation; a count mismatch is a DataError', () => {
    const instances = [instance('train', [1, 2]), instance('test', [3, 4]), instance('train', [5, 6])];
    const points = latentPoints(instances, [[0.1], [0.5]], [[0.3]]);
    assert.deepEqual(points.map((p) => [p.split, p.params, p.eta]), [['train', [1, 2], [0.1]], ['train', [5, 6], [0.5]], ['interpolate', [3, 4], [0.3]]]);
    assert.throws(() => latentPoints(instances, [[0.1]], [[0.3]]), DataError);
  });

  it('recovers μ of unseen instances from codes that are a linear image of log μ in 10 dimensions, to < 1 %', () => {
    const rng = createRng(7);
    const mix = Array.from({ length: 10 }, () => [rng.uniformIn(-1, 1), rng.uniformIn(-1, 1)]);
    const code = (mu: number[]) => mix.map(([a, b]) => a * Math.log(mu[0]) + b * Math.log(mu[1]) + 0.3);
    const draw = (split: 'train' | 'test') => instance(split, [rng.uniformIn(1, 5), rng.uniformIn(1, 5)]);
    const instances = [...Array.from({ length: 40 }, () => draw('train')), ...Array.from({ length: 8 }, () => draw('test'))];
    const train = instances.filter((i) => i.split === 'train');
    const test = instances.filter((i) => i.split === 'test');
    const analysis = analyseLatents(latentPoints(instances, train.map((i) => code(i.params)), test.map((i) => code(i.params))), createRng(1), { threshold: 0.99, gauge: { ...PAPER_B_GAUGE_OPTIONS, iterations: 200 } });
    const g = methodGauge('SVD', 'test-time protocol', analysis);
    assert.equal(g.pca99, 2, 'codes on a 2-plane');
    assert.ok(g.maxError !== null && g.maxError < 0.01, `max error ${g.maxError}`);
    assert.equal(g.test.length, 8);
    // a code that says nothing of μ (noise) gauges badly: the test can fail
    const noise = () => Array.from({ length: 10 }, () => rng.uniformIn(-1, 1));
    const blind = methodGauge('FW', 'test-time protocol', analyseLatents(latentPoints(instances, train.map(noise), test.map(noise)), createRng(1), { threshold: 0.99, gauge: { ...PAPER_B_GAUGE_OPTIONS, iterations: 200 } }));
    assert.ok(blind.medianError === null || blind.medianError > 0.1, `noise gauged to ${blind.medianError}`);
    assert.equal(formatGaugeError(null), 'diverged');
    assert.equal(latentGaugeTable({ experiment: 'x', scale: 'smoke', seed: 1, paramNames: ['m', 'k'], methods: [g], best: { method: 'SVD', source: 'test-time protocol' } }).rows[0].length, 9);
  });

  it('a smoke run gauges every modulation method from both code sources, writes gauge.json, gauge.md and parity figures, and leaves no tensor behind', async function () {
    this.timeout(120000);
    await initBackend();
    await withResultsRoot('metadyn-latent-gauge-', async (root) => {
      const before = tf.memory().numTensors;
      const { dir, study } = await runLatentGaugeStudy(paperBMassSpring, 'smoke', {});
      assert.equal(tf.memory().numTensors, before);
      assert.equal(dir, path.join(root, 'smoke', 'latent-gauge', 'spd-mass-spring'));
      assert.deepEqual([...new Set(study.methods.map((m) => m.method))], methodsOf('modulation'));
      assert.equal(study.methods.length, 2 * methodsOf('modulation').length);
      const written = JSON.parse(fs.readFileSync(path.join(dir, 'gauge.json'), 'utf8'));
      assert.equal(written.provenance.experiment, 'spd-mass-spring');
      assert.ok(fs.existsSync(path.join(dir, 'figures', 'gauge-parity-1.json')) && fs.existsSync(path.join(dir, 'figures', 'gauge-parity-2.json')));
      assert.match(fs.readFileSync(path.join(dir, 'gauge.md'), 'utf8'), /npm run latent-gauge -- spd-mass-spring --scale smoke/);
      // the results page reads default and converged only: not yet gauged, then one row from a default study
      assert.match(latentGaugeSection(root, ['spd-mass-spring']), /Not gauged yet/);
      fs.mkdirSync(path.join(root, 'latent-gauge', 'spd-mass-spring'), { recursive: true });
      fs.writeFileSync(path.join(root, 'latent-gauge', 'spd-mass-spring', 'gauge.json'), JSON.stringify({ ...study, scale: 'default' }));
      const best = study.methods.find((m) => m.method === study.best.method && m.source === study.best.source)!;
      const section = latentGaugeSection(root, ['spd-mass-spring', 'spd-pendulum']);
      assert.match(section, new RegExp(`\\| spd-mass-spring \\| default \\| ${study.seed} \\| ${study.best.method} \\(${study.best.source}\\) \\|.*\\| ${formatGaugeError(best.medianError)} \\|`));
      assert.doesNotMatch(section, /spd-pendulum/);
    });
  });
});
