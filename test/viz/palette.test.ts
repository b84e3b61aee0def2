import { strict as assert } from 'assert';
import { methodColor, OKABE_ITO, seriesColors, TOL_MUTED } from '../../src/viz/palette';

const METHODS = ['iMODE', 'Scratch', 'MAML', 'ANIL', 'Reptile', 'Shift', 'FW', 'RO', 'MR', 'SVD', 'MR-v1', 'truth'];

describe('viz/palette', () => {
  it('gives every project method its own colour, truth in black', () => {
    const colors = METHODS.map(methodColor);
    assert.equal(new Set(colors).size, METHODS.length);
    assert.equal(methodColor('truth'), '#000000');
    assert.equal(methodColor('True'), '#000000');
  });

  it('gives a ranked variant its method colour', () => {
    assert.equal(methodColor('SVD(5)'), methodColor('SVD'));
    assert.equal(methodColor('MR (r=3)'), methodColor('MR'));
  });

  it('gives unknown names a deterministic colour from the palette that no method owns', () => {
    const owned = new Set(METHODS.map(methodColor));
    const palette = new Set<string>([...OKABE_ITO, ...TOL_MUTED]);
    for (const name of ['train', 'test', 'validation', 'HNN', 'GENERIC']) {
      const c = methodColor(name);
      assert.equal(methodColor(name), c);
      assert.ok(palette.has(c) && !owned.has(c), `${name} → ${c}`);
    }
  });

  it('seriesColors keeps method colours and never repeats a colour among up to six unknown names', () => {
    const names = ['MAML', 'a', 'b', 'c', 'd', 'e', 'f'];
    const colors = seriesColors(names);
    assert.equal(colors[0], methodColor('MAML'));
    assert.equal(new Set(colors).size, names.length);
    assert.deepEqual(seriesColors(names), colors);
  });
});
