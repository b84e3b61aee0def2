import { strict as assert } from 'assert';
import { resolveFamilyConfig } from '../../src/experiments/imodeFamilyExperiment';
import { imodeSlinky, slinkyCoordinateGroups } from '../../src/experiments/imodeSlinky';
import { residualByCoordinate, residualByCoordinateTable } from '../../src/experiments/residualByCoordinate';

const record = (split: string, residual: number[], motion: number[]) => ({ split, residual, motion });

describe('experiments/residualByCoordinate (which coordinates the adapted model misses)', () => {
  const groups = [
    { name: 'position', components: [0, 2] },
    { name: 'rate', components: [1, 3] },
  ];

  it('sums residual and motion over a group, takes the median share over unseen instances, and leaves train instances out', () => {
    const rows = residualByCoordinate(groups, [
      record('train', [100, 100, 100, 100], [1, 1, 1, 1]),
      record('interpolate', [1, 2, 1, 2], [10, 2, 10, 2]),
      record('interpolate', [2, 4, 2, 4], [10, 2, 10, 2]),
      record('extrapolate', [3, 8, 3, 8], [10, 2, 10, 2]),
    ]);
    assert.deepEqual(rows.map((r) => r.coordinate), ['position', 'rate']);
    assert.deepEqual(rows.map((r) => r.medianMissedShare), [0.2, 2]);
    assert.deepEqual(rows.map((r) => r.medianResidual), [4, 8]);
    assert.deepEqual(rows.map((r) => r.medianMotion), [20, 4]);
    assert.equal(residualByCoordinateTable(rows).rows.length, 2);
  });

  it('refuses a group outside the state, a coordinate that never moves, ragged records and no unseen instance', () => {
    const ok = record('interpolate', [1, 1, 1, 1], [1, 1, 1, 1]);
    assert.throws(() => residualByCoordinate([{ name: 'beyond', components: [4] }], [ok]), /'beyond': components must be non-empty indices in \[0, 4\)/);
    assert.throws(() => residualByCoordinate([{ name: 'none', components: [] }], [ok]), /'none': components must be non-empty/);
    assert.throws(() => residualByCoordinate(groups, [record('interpolate', [1, 1, 1, 1], [0, 1, 0, 1])]), /'position' has no motion/);
    assert.throws(() => residualByCoordinate(groups, [ok, record('extrapolate', [1, 1], [1, 1])]), /needs 4 residual and motion entries, got 2 and 2/);
    assert.throws(() => residualByCoordinate(groups, [record('train', [1, 1, 1, 1], [1, 1, 1, 1])]), /no unseen instance/);
  });

  it('groups each Slinky coordinate over the free cycles only, every free component once', () => {
    const cfg = resolveFamilyConfig(imodeSlinky, 'default');
    const g = slinkyCoordinateGroups(cfg);
    assert.equal(g.length, 6);
    const all = g.flatMap((x) => x.components).sort((a, b) => a - b);
    assert.deepEqual(all, Array.from({ length: 6 * (cfg.cycles - 1) }, (_, i) => 6 + i), 'the clamped top cycle (components 0–5) is left out');
    assert.deepEqual(g[4].components, Array.from({ length: cfg.cycles - 1 }, (_, i) => 6 * (i + 1) + 4), 'ẏ of every free cycle');
  });
});
