import { strict as assert } from 'assert';
import { createRng } from '../../src/core/rng';
import { dopri5 } from '../../src/integrators/dopri5';
import { rk4 } from '../../src/integrators/rk4';
import { extrapolationBox } from '../../src/data/imodeFamilyData';
import { resolveFamilyConfig } from '../../src/experiments/imodeFamilyExperiment';
import { type ImodeSlinkyConfig, imodeSlinky, slinkyCoordinateGroups } from '../../src/experiments/imodeSlinky';
import { residualByCoordinate } from '../../src/experiments/residualByCoordinate';
import { slinkyHangingModes } from '../../src/systems/slinky';

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
  // The stiffest mode over the four corners of the box extrapolating instances are drawn from.
  const stiffestMode = (cfg: ImodeSlinkyConfig) => {
    const { low, high } = extrapolationBox(cfg);
    const corners = [low[0], high[0]].flatMap((kAxial) => [low[1], high[1]].map((kBending) => ({ kAxial, kShear: cfg.shearStiffness, kBending })));
    return Math.max(...corners.map((mu) => Math.max(...slinkyHangingModes(cfg.cycles, mu))));
  };

  it('samples every linear mode of every instance it can draw at least 4 times a period (the first box aliased)', () => {
    const cfg = resolveFamilyConfig(imodeSlinky, 'default');
    const resolved = stiffestMode(cfg) * cfg.dt;
    assert.ok(resolved < Math.PI / 2, `ω·dt = ${resolved}`);
    // k_a ∈ [50, 150] N/m with k_s = 100 N/m put the stiffest modes past the Nyquist frequency π/dt
    const first = { ...cfg, paramLow: [50, 5e-4], paramHigh: [150, 2e-3], shearStiffness: 100 };
    const aliased = stiffestMode(first) * cfg.dt;
    assert.ok(aliased > Math.PI, `ω·dt = ${aliased}`);
  });

  it('its rollout solver misses under 1 % of every coordinate’s held-out motion at the box’s widened corners, with the true field', () => {
    const cfg = resolveFamilyConfig(imodeSlinky, 'default');
    const { low, high } = extrapolationBox(cfg);
    for (const corner of [low, high]) {
      for (const row of solverFloor(cfg, corner)) assert.ok(row.medianMissedShare < 0.01, `${corner} ${row.coordinate}: ${row.medianMissedShare}`);
    }
  });

  it('half the substeps would not (RK4 at h·ω ≈ 1.3 damps the stiffest mode)', () => {
    const cfg = resolveFamilyConfig(imodeSlinky, 'default');
    const coarse = { ...cfg, substeps: cfg.substeps / 2 };
    const { low, high } = extrapolationBox(coarse);
    const worst = Math.max(...[low, high].flatMap((corner) => solverFloor(coarse, corner).map((r) => r.medianMissedShare)));
    assert.ok(worst > 0.01, `worst share ${worst}`);
  });
});
