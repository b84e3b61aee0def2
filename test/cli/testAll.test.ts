import { strict as assert } from 'assert';
import { formatTotals, mochaTotals, parseMochaCounts } from '../../src/cli/testAll';

describe('cli/testAll: mocha counts and totals', () => {
  it('reads passing, failing and pending from the spec epilogue', () => {
    const out = '  rng\n    ✔ is seeded\n\n\n  12 passing (2s)\n  2 pending\n  1 failing\n\n  1) rng\n       fails:\n     AssertionError\n';
    assert.deepEqual(parseMochaCounts(out), { passing: 12, failing: 1, pending: 2 });
  });

  it('defaults absent failing/pending to zero and ignores ANSI colours', () => {
    assert.deepEqual(parseMochaCounts('\u001b[92m \u001b[0m\u001b[32m 7 passing\u001b[0m\u001b[90m (40ms)\u001b[0m\n'), { passing: 7, failing: 0, pending: 0 });
  });

  it('takes the epilogue, not a test title that merely mentions a count', () => {
    const out = '  parser\n    ✔ parses 3 passing lines\n\n  5 passing (10ms)\n';
    assert.deepEqual(parseMochaCounts(out), { passing: 5, failing: 0, pending: 0 });
  });

  it('returns null when mocha never reported (crash before the run)', () => {
    assert.equal(parseMochaCounts('Error: No test files found: "test/**/*.test.ts"\n'), null);
  });

  it('counts a silent mocha crash or a non-zero exit without failures as one failure', () => {
    assert.deepEqual(mochaTotals(null, 1), { passed: 0, failed: 1 });
    assert.deepEqual(mochaTotals({ passing: 4, failing: 0, pending: 0 }, 7), { passed: 4, failed: 1 });
    assert.deepEqual(mochaTotals({ passing: 4, failing: 2, pending: 1 }, 2), { passed: 4, failed: 2 });
    assert.deepEqual(mochaTotals({ passing: 4, failing: 0, pending: 1 }, 0), { passed: 4, failed: 0 });
  });

  it('formats the final totals line exactly', () => {
    assert.equal(formatTotals(41, 0), '41 passed, 0 failed');
    assert.equal(formatTotals(0, 3), '0 passed, 3 failed');
  });
});
