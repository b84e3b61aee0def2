import { strict as assert } from 'assert';
import { spliceSection } from '../../src/cli/readmeTables';
import { summariseTimings } from '../../src/cli/bench';

describe('cli/readme-tables and bench helpers', () => {
  it('replaces exactly the text between an experiment’s markers and keeps the rest', () => {
    const readme = 'intro\n<!-- results:a -->\nold a\n<!-- /results:a -->\nmiddle\n<!-- results:b -->\nold b\n<!-- /results:b -->\nend\n';
    const out = spliceSection(readme, 'a', '| new | table |\n');
    assert.equal(out, 'intro\n<!-- results:a -->\n| new | table |\n<!-- /results:a -->\nmiddle\n<!-- results:b -->\nold b\n<!-- /results:b -->\nend\n');
    assert.equal(spliceSection(out, 'a', '| new | table |'), out, 'splicing is idempotent');
  });

  it('refuses a README without the markers instead of dropping the section', () => {
    assert.throws(() => spliceSection('no markers here', 'imode-pendulum', 'x'), /no '<!-- results:imode-pendulum -->'/);
  });

  it('summarises timings by median and minimum', () => {
    assert.deepEqual(summariseTimings([5, 1, 3]), { medianMs: 3, minMs: 1, repetitions: 3 });
    assert.deepEqual(summariseTimings([4, 1, 3, 2]), { medianMs: 2.5, minMs: 1, repetitions: 4 });
    assert.throws(() => summariseTimings([]), /no repetitions/);
  });
});
