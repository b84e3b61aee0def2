import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { GENERATED_PAGES, generatedSectionIds, spliceIntoPages, spliceSection } from '../../src/cli/readmeTables';
import { REPO_ROOT } from '../../src/cli/commandLine';
import { benchOutFile, summariseTimings } from '../../src/cli/benchMeasurement';

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

  it('splices each section into the one page holding its markers, and refuses a section in no page or in two', () => {
    const pages = { 'README.md': 'a\n<!-- results:x -->\n<!-- /results:x -->\n', 'docs/results.md': '<!-- results:y -->\nold\n<!-- /results:y -->\n' };
    const out = spliceIntoPages(pages, { x: 'X', y: 'Y' });
    assert.deepEqual(out, { 'README.md': 'a\n<!-- results:x -->\nX\n<!-- /results:x -->\n', 'docs/results.md': '<!-- results:y -->\nY\n<!-- /results:y -->\n' });
    assert.throws(() => spliceIntoPages(pages, { z: 'Z' }), /section 'z' must have its markers in exactly one of .*found in none/);
    assert.throws(() => spliceIntoPages({ ...pages, 'other.md': pages['README.md'] }, { x: 'X' }), /found in README.md, other.md/);
  });

  it('the committed pages hold every generated section exactly once, and README.md stays a front page under 15 KB', () => {
    const pages = Object.fromEntries(GENERATED_PAGES.map((p) => [p, fs.readFileSync(path.join(REPO_ROOT, p), 'utf8')]));
    const ids = generatedSectionIds();
    assert.ok(ids.includes('spd-headline') && ids.includes('imode-pendulum'));
    assert.doesNotThrow(() => spliceIntoPages(pages, Object.fromEntries(ids.map((id) => [id, 'x']))));
    const size = Buffer.byteLength(pages['README.md'], 'utf8');
    assert.ok(size < 15 * 1024, `README.md is ${size} bytes`);
  });

  it('writes benchmarks under METADYN_RESULTS_ROOT when set, so a trial run leaves the committed timings alone', () => {
    assert.equal(benchOutFile('hnn', {}), path.join(REPO_ROOT, 'results', 'bench', 'hnn.json'));
    assert.equal(benchOutFile('hnn', { METADYN_RESULTS_ROOT: '/tmp/trial' }), path.join('/tmp/trial', 'bench', 'hnn.json'));
  });

  it('summarises timings by median and minimum', () => {
    assert.deepEqual(summariseTimings([5, 1, 3]), { medianMs: 3, minMs: 1, repetitions: 3 });
    assert.deepEqual(summariseTimings([4, 1, 3, 2]), { medianMs: 2.5, minMs: 1, repetitions: 4 });
    assert.throws(() => summariseTimings([]), /no repetitions/);
  });
});
