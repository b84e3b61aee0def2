import { strict as assert } from 'assert';
import { createRng } from '../../src/core/rng';
import { dopri5 } from '../../src/integrators/dopri5';
import { rk4 } from '../../src/integrators/rk4';
import { resolveFamilyConfig } from '../../src/experiments/imodeFamily';
import { type ImodeSlinkyConfig, imodeSlinky, slinkyCoordinateGroups } from '../../src/experiments/imodeSlinky';
import { residualByCoordinate } from '../../src/experiments/residualByCoordinate';

/**
 * The share of each coordinate's held-out motion that the model's rollout solver (RK4, `substeps` per sample) misses
 * when it integrates the TRUE field: the floor under every held-out error the experiment reports.
 */
function solverFloor(cfg: ImodeSlinkyConfig, params: number[]) {
  const sim = imodeSlinky.simulator(cfg, params);
  const scale = imodeSlinky.stateScale(cfg);
  const rng = createRng(11);
  const ts = Array.from({ length: cfg.evalSteps }, (_, i) => i * cfg.dt);
  const records = Array.from({ length: 3 }, () => {
    const truth = dopri5.solve(sim.field, sim.sampleState(rng), ts, { rtol: 1e-10, atol: 1e-12 });
    const residual = new Array(scale.length).fill(0);
    const motion = new Array(scale.length).fill(0);
    const rollout = rk4.solve(sim.field, truth[0], ts, { substeps: cfg.substeps });
    for (let i = 1; i < ts.length; i++) {
      truth[i].forEach((v, j) => {
        residual[j] += ((rollout[i][j] - v) / scale[j]) ** 2;
        motion[j] += ((v - truth[0][j]) / scale[j]) ** 2;
      });
    }
    return { split: 'extrapolate', residual, motion };
  });
  return residualByCoordinate(slinkyCoordinateGroups(cfg), records);
}

describe('experiments/imodeSlinky (the substitute chain experiment)', () => {
  // The stiffest instance the experiment can draw: the top corner of the box widened by the extrapolation margin.
  const stiffest = (cfg: ImodeSlinkyConfig) => cfg.paramHigh.map((hi, j) => hi + cfg.extrapolateMargin * (hi - cfg.paramLow[j]));

  it('its rollout solver misses under 1 % of every coordinate’s held-out motion on the stiffest instance, with the true field', () => {
    const cfg = resolveFamilyConfig(imodeSlinky, 'default');
    for (const row of solverFloor(cfg, stiffest(cfg))) assert.ok(row.medianMissedShare < 0.01, `${row.coordinate}: ${row.medianMissedShare}`);
  });

  it('half the substeps would not (the fast axial modes, ≈ 440 rad/s, decay under RK4 at h·ω ≈ 1)', () => {
    const cfg = resolveFamilyConfig(imodeSlinky, 'default');
    const coarse = { ...cfg, substeps: cfg.substeps / 2 };
    const worst = Math.max(...solverFloor(coarse, stiffest(coarse)).map((r) => r.medianMissedShare));
    assert.ok(worst > 0.1, `worst share ${worst}`);
  });
});
