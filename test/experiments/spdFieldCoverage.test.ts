import { strict as assert } from 'assert';
import { instanceCoverage } from '../../src/experiments/spdFieldCoverage';
import { type SpdInstance, resolveSpdConfig } from '../../src/experiments/spdHamiltonian';
import { spdMassSpring } from '../../src/experiments/spdMassSpring';

/** A trajectory of the unit mass-spring (m = k = 1: circles) of radius r, sampled around the whole circle. */
function circle(r: number): Float64Array[] {
  return Array.from({ length: 64 }, (_, i) => Float64Array.of(r * Math.cos((2 * Math.PI * i) / 64), r * Math.sin((2 * Math.PI * i) / 64)));
}

const instance = (r: number): SpdInstance => ({ label: `r=${r}`, split: 'test', params: [1, 1], trajectories: [circle(r)] });

describe('experiments/spdFieldCoverage (the ε_field grid against the data)', () => {
  const cfg = { ...resolveSpdConfig(spdMassSpring, 'smoke'), gridSize: 201 };

  it('agrees with the integrals for circles of radius 1 on [−2, 2]²: share 1 − π/16 of the points beyond, floor √(1 − 3π/256)', () => {
    // |F|² = q² + p² for m = k = 1; ∫ over the square = 128/3, over the unit disc π/2.
    const c = instanceCoverage(spdMassSpring, cfg, instance(1));
    assert.ok(Math.abs(c.energyMax - 0.5) < 1e-12, `E_max ${c.energyMax}`);
    assert.ok(Math.abs(c.outsideShare - (1 - Math.PI / 16)) < 5e-3, `outside share ${c.outsideShare}`);
    assert.ok(Math.abs(c.floor - Math.sqrt(1 - (3 * Math.PI) / 256)) < 5e-3, `floor ${c.floor}`);
  });

  it('is zero when the data enclose the grid (radius 3 > the corners at 2√2)', () => {
    const c = instanceCoverage(spdMassSpring, cfg, instance(3));
    assert.deepEqual([c.outsideShare, c.floor], [0, 0]);
  });
});
