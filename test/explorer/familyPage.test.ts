import { strict as assert } from 'assert';
import { imodeSlinky } from '../../src/experiments/imodeSlinky';
import { EXPLORER_IDS } from '../../src/explorer/pageContract';
import { figureTraces, moveSliders, rolloutInPage } from '../../src/explorer/pageDriver';
import { nearestInstance, pageRollout } from '../../src/explorer/pageRollout';
import { assertLoadedOffline, maxAbsDifference, onCpuBackend, useExplorerPage } from './explorerPageTesting';
import { tinyFamilyExplorerModel } from './tinyFamilyExplorerModel';

/** The Slinky: six state components per cycle in five units, its portrait on the bottom cycle's (x, y), η of 4 components. */
describe('explorer page of an iMODE family (headless Chromium)', function () {
  this.timeout(300000);
  const model = tinyFamilyExplorerModel(imodeSlinky);
  const shown = useExplorerPage({ kind: 'imode', model });
  const nodeRollout = (eta: number[], x0: number[], steps: number) => onCpuBackend(() => pageRollout(model, eta, x0, steps));

  it('loads offline on the cpu backend with one slider per η component, holding the model', async () => {
    await assertLoadedOffline(shown().opened, model, 4);
  });

  it('redraws the portrait components of the family’s own field when a slider moves, as Node computes them', async () => {
    const { x: px, y: py } = model.portrait;
    const before = await figureTraces(shown().opened.page, EXPLORER_IDS.figure);
    const move = await moveSliders(shown().opened.page, model.instances[2].eta.map((v) => v + 0.2));
    const after = await figureTraces(shown().opened.page, EXPLORER_IDS.figure);
    assert.notDeepEqual(after[1], before[1], 'the model trace did not change');
    const near = model.instances[nearestInstance(model, move.values)];
    assert.deepEqual(after[0].x, near.window.map((x) => x[px]));
    const node = await nodeRollout(move.values, near.window[0], near.window.length);
    const drawn = after[1].x.map((x, k) => [x, after[1].y[k]]);
    const d = maxAbsDifference(drawn, node.map((x) => [x[px], x[py]]));
    assert.ok(d <= 1e-5, `the drawn trajectory differs from Node's by ${d}`);
  });

  it('rolls out a given η over the whole state as Node does, to 1e-5 (cpu backend in both)', async () => {
    for (const ins of model.instances) {
      const inPage = await rolloutInPage(shown().opened.page, ins.eta, ins.window[0], ins.window.length);
      const node = await nodeRollout(ins.eta, ins.window[0], ins.window.length);
      assert.equal(inPage[0].length, ins.window[0].length);
      assert.ok(maxAbsDifference(inPage, node) <= 1e-5, `${ins.label}: page and Node differ by ${maxAbsDifference(inPage, node)}`);
    }
  });
});
