import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { buildPageBundle, explorerCellHtml, explorerPageHtml } from '../../src/explorer/explorerPage';
import { imodePendulumExplorerModel } from '../../src/explorer/modelExport';
import { EXPLORER_HANDLE, EXPLORER_IDS } from '../../src/explorer/pageContract';
import { figureTraces, moveSliders, openExplorerPage, rolloutInPage } from '../../src/explorer/pageDriver';
import { type ExplorerModel, nearestInstance, pageRollout } from '../../src/explorer/pageRollout';
import { tmpDir } from '../helpers/tmpDir';
import { assertLoadedOffline, maxAbsDifference, onCpuBackend, useExplorerPage } from './explorerPageTesting';
import { tinyExplorerModel } from './tinyExplorerModel';

/** pageRollout in Node on the cpu backend (the page's), the previous backend restored after. */
function nodeRolloutOnCpu(model: ExplorerModel, eta: number[], x0: number[], steps: number): Promise<number[][]> {
  return onCpuBackend(() => pageRollout(model, eta, x0, steps));
}

describe('explorer/explorerPage (headless Chromium)', function () {
  const model = tinyExplorerModel(300);
  const shown = useExplorerPage({ kind: 'imode', model });

  it('loads from disk with no network request and no page error, on the cpu backend, holding the model', async () => {
    await assertLoadedOffline(shown().opened, model, 1);
  });

  it('redraws the figure when the slider moves, with the model rollout of the slider’s η from the nearest instance', async () => {
    const first = await moveSliders(shown().opened.page, [-0.8]);
    const before = await figureTraces(shown().opened.page, EXPLORER_IDS.figure);
    const second = await moveSliders(shown().opened.page, [1.4]);
    const after = await figureTraces(shown().opened.page, EXPLORER_IDS.figure);
    assert.equal(after.length, 3);
    assert.notDeepEqual(after[1], before[1], 'the model trace did not change');
    // beside it, the nearest instance's data: instance 0 at η ≈ −0.8, instance 2 at η ≈ 1.4
    assert.deepEqual(before[0].x, model.instances[0].window.map((x) => x[0]));
    assert.deepEqual(after[0].x, model.instances[2].window.map((x) => x[0]));
    for (const [move, traces] of [[first, before], [second, after]] as const) {
      const near = model.instances[nearestInstance(model, move.values)];
      const node = await nodeRolloutOnCpu(model, move.values, near.window[0], near.window.length);
      const drawn = traces[1].x.map((x, k) => [x, traces[1].y[k]]);
      assert.ok(maxAbsDifference(drawn, node) <= 1e-5, `the drawn trajectory differs from Node's by ${maxAbsDifference(drawn, node)}`);
    }
    assert.ok(Number.isFinite(second.ms) && second.ms > 0);
  });

  it('rolls out a given η as Node does, to 1e-5 (cpu backend in both)', async () => {
    for (const eta of [[-1.3], [0.05], [2]]) {
      const x0 = model.instances[1].window[0];
      const inPage = await rolloutInPage(shown().opened.page, eta, x0, 300);
      const node = await nodeRolloutOnCpu(model, eta, x0, 300);
      assert.ok(maxAbsDifference(inPage, node) <= 1e-5, `η = ${eta}: page and Node differ by ${maxAbsDifference(inPage, node)}`);
    }
  });

  it('bundles the page script for the browser: no Node module, tfjs taken from the page, the model written in', async () => {
    const bundle = await buildPageBundle({ kind: 'imode', model });
    assert.ok(!/require\(["'](fs|path|os|child_process|crypto)["']\)/.test(bundle), 'a Node built-in reached the bundle');
    assert.match(bundle, /window\.tf/);
    assert.ok(bundle.includes('"metadyn-explorer-model"') && bundle.includes('"interpolate"'), 'the model is not in the bundle');
    assert.ok(bundle.length < 600e3 + JSON.stringify(model).length, `bundle of ${bundle.length} characters`);
  });

  it('shows the page as a notebook cell: an iframe whose srcdoc is the page, drawing the same figure', async () => {
    const page = explorerPageHtml(model, await buildPageBundle({ kind: 'imode', model }));
    const cell = explorerCellHtml(page);
    assert.match(cell, /^<iframe sandbox="allow-scripts" [^>]*srcdoc="/);
    assert.ok(!cell.slice(0, -'"></iframe>'.length).includes('<script'), 'the page must be escaped inside srcdoc');
    const tab = await shown().opened.page.context().newPage();
    await tab.setContent(cell);
    const frame = tab.frames()[1];
    await frame.waitForFunction((handle) => (window as unknown as Record<string, unknown>)[handle] !== undefined, EXPLORER_HANDLE, { timeout: 60000 });
    const traces = await frame.evaluate((id) => ((document.getElementById(id) as unknown as { data: unknown[] }).data ?? []).length, EXPLORER_IDS.figure);
    assert.equal(traces, 3);
    await tab.close();
  });

  it('rolls out the trained imode-pendulum model on every length’s 500-step window as Node does, to 1e-5', async function () {
    let trained: ExplorerModel;
    try {
      trained = imodePendulumExplorerModel('default');
    } catch (e) {
      if (!/no finished meta-training checkpoint|no metrics\.json/.test((e as Error).message)) throw e;
      console.log('      skipped: no finished imode-pendulum run here (checkpoints are git-ignored)');
      return this.skip();
    }
    const file = path.join(tmpDir('explorer-pendulum-'), 'imode-pendulum.html');
    fs.writeFileSync(file, explorerPageHtml(trained, await buildPageBundle({ kind: 'imode', model: trained })));
    const real = await openExplorerPage(shown().browser, file);
    try {
      assert.deepEqual(real.blocked, []);
      for (const ins of trained.instances) {
        const inPage = await rolloutInPage(real.page, ins.eta, ins.window[0], ins.window.length);
        const node = await nodeRolloutOnCpu(trained, ins.eta, ins.window[0], ins.window.length);
        assert.ok(maxAbsDifference(inPage, node) <= 1e-5, `${ins.label}: page and Node differ by ${maxAbsDifference(inPage, node)}`);
      }
    } finally {
      await real.close();
    }
  });
});
