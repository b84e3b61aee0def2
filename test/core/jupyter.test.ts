import { strict as assert } from 'assert';
import { parseNotebookFileName } from '../../src/core/jupyter';

describe('core/jupyter: notebook file names', () => {
  it('parses NN-<id>.ipynb and rejects other names', () => {
    assert.deepEqual(parseNotebookFileName('01-imode-pendulum.ipynb'), { number: 1, id: 'imode-pendulum' });
    assert.deepEqual(parseNotebookFileName('12-spml-gauge.ipynb'), { number: 12, id: 'spml-gauge' });
    for (const bad of ['1-x.ipynb', '01_x.ipynb', '01-Imode.ipynb', '01-x.json', '01-.ipynb', 'Untitled.ipynb', '01-x-.ipynb']) {
      assert.equal(parseNotebookFileName(bad), null, bad);
    }
  });
});
