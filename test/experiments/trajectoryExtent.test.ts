import { strict as assert } from 'assert';
import { parseCoordinates } from '../../src/cli/trajectories';
import { DataError } from '../../src/core/errors';
import { imodeDoublePendulum } from '../../src/experiments/imodeDoublePendulum';
import { type FamilyInstance, resolveFamilyConfig, simulateFamily } from '../../src/experiments/imodeFamilyExperiment';
import { trajectoryExtentTable, trajectoryExtents } from '../../src/experiments/trajectoryExtent';

/** x(t) = (a cos t, −2a sin t) sampled at t = 0, 0.1, …: max |x0| = |a|, max |x1| = 2|a| once t passes π/2. */
function oscillation(a: number): Float64Array[] {
  return Array.from({ length: 40 }, (_, k) => Float64Array.of(a * Math.cos(0.1 * k), -2 * a * Math.sin(0.1 * k)));
}

const INSTANCE: FamilyInstance = { label: 'k=1', params: [1], split: 'train', trajectories: [oscillation(0.5), oscillation(-3)], evalTrajectories: [] };

describe('experiments/trajectoryExtent', () => {
  it('reports each trajectory’s initial state and largest |x_i|, on all or chosen coordinates', () => {
    const all = trajectoryExtents([INSTANCE]);
    assert.deepEqual(all.map((e) => e.trajectory), [0, 1]);
    assert.deepEqual(all[0].initial, [0.5, -0]);
    assert.ok(Math.abs(all[0].maxAbs[0] - 0.5) < 1e-12 && Math.abs(all[0].maxAbs[1] - 1) < 2e-3, `${all[0].maxAbs}`);
    assert.ok(Math.abs(all[1].maxAbs[0] - 3) < 1e-12 && Math.abs(all[1].maxAbs[1] - 6) < 1e-2, `${all[1].maxAbs}`);
    const second = trajectoryExtents([INSTANCE], [1]);
    assert.deepEqual(second.map((e) => e.maxAbs), all.map((e) => [e.maxAbs[1]]));
    const table = trajectoryExtentTable(second, ['v']);
    assert.deepEqual(table.columns, ['instance', 'split', 'trajectory', 'v(0)', 'max |v|']);
    assert.deepEqual(table.rows[1].slice(0, 3), ['k=1', 'train', 1]);
  });

  it('refuses a coordinate outside the state, an empty trajectory, names that do not match, and a bad --coordinates', () => {
    assert.throws(() => trajectoryExtents([INSTANCE], [2]), (e: Error) => e instanceof DataError && /coordinate 2 is outside the state's 2 coordinates \(0 to 1\)/.test(e.message));
    assert.throws(() => trajectoryExtents([{ ...INSTANCE, trajectories: [[]] }]), /k=1: trajectory 0 has no samples/);
    assert.throws(() => trajectoryExtentTable(trajectoryExtents([INSTANCE]), ['x']), /1 coordinate name\(s\) for 2 coordinate\(s\)/);
    assert.deepEqual(parseCoordinates('0, 3'), [0, 3]);
    assert.throws(() => parseCoordinates('0,-1'), /--coordinates takes non-negative integers/);
    assert.throws(() => parseCoordinates('a'), /got 'a'/);
  });

  it('double pendulum: every trajectory is released at rest within ±maxInitialAngle and swings at least as far as it started', () => {
    const cfg = resolveFamilyConfig(imodeDoublePendulum, 'smoke', { maxInitialAngle: 0.7 });
    const extents = trajectoryExtents(simulateFamily(imodeDoublePendulum, cfg));
    assert.ok(extents.length > 0);
    for (const e of extents) {
      assert.deepEqual(e.initial.slice(2), [0, 0], `${e.label}: released at rest`);
      assert.ok(Math.abs(e.initial[0]) <= 0.7 && Math.abs(e.initial[1]) <= 0.7, `${e.label}: initial angles ${e.initial}`);
      assert.ok(e.maxAbs[0] >= Math.abs(e.initial[0]) && e.maxAbs[1] >= Math.abs(e.initial[1]));
    }
  });
});
