import { strict as assert } from 'assert';
import * as tf from '@tensorflow/tfjs';
import { vectorFieldGrid } from '../../src/analysis/metrics';
import { instanceCoverage } from '../../src/experiments/paperBFieldCoverage';
import { type AdaptedModel, type PaperBInstance, evaluateField } from '../../src/analysis/paperBEvaluation';
import { resolvePaperBConfig } from '../../src/experiments/paperB/config';
import { paperBMassSpring } from '../../src/experiments/paperBMassSpring';

/** A trajectory of the unit mass-spring (m = k = 1: circles) of radius r, sampled around the whole circle. */
function circle(r: number): Float64Array[] {
  return Array.from({ length: 64 }, (_, i) => Float64Array.of(r * Math.cos((2 * Math.PI * i) / 64), r * Math.sin((2 * Math.PI * i) / 64)));
}

const instance = (r: number): PaperBInstance => ({ label: `r=${r}`, split: 'test', params: [1, 1], trajectories: [circle(r)] });

/** The unit mass-spring's field (p, −q) times `scale`, kept only where q² + p² ≤ `radius`² (zero beyond). */
function maskedTrueField(radius: number, scale = 1): AdaptedModel {
  return {
    field: (_t, x) =>
      tf.tidy(() => {
        const [q, p] = tf.split(x, 2, 1);
        const inside = tf.lessEqual(tf.add(tf.square(q), tf.square(p)), radius * radius + 1e-9).toFloat();
        return tf.mul(tf.concat([p, tf.neg(q)], 1), inside).mul(scale) as tf.Tensor2D;
      }),
    energy: (x) => tf.zeros([x.shape[0], 1]),
  };
}

describe('experiments/paperBFieldCoverage (the ε_field grid against the data)', () => {
  const cfg = { ...resolvePaperBConfig(paperBMassSpring, 'smoke'), gridSize: 201 };

  it('agrees with the integrals for circles of radius 1 on [−2, 2]²: share 1 − π/16 of the points beyond, floor √(1 − 3π/256)', () => {
    // |F|² = q² + p² for m = k = 1; ∫ over the square = 128/3, over the unit disc π/2.
    const c = instanceCoverage(paperBMassSpring, cfg, instance(1));
    assert.ok(Math.abs(c.energyMax - 0.5) < 1e-12, `E_max ${c.energyMax}`);
    assert.ok(Math.abs(c.outsideShare - (1 - Math.PI / 16)) < 5e-3, `outside share ${c.outsideShare}`);
    assert.ok(Math.abs(c.floor - Math.sqrt(1 - (3 * Math.PI) / 256)) < 5e-3, `floor ${c.floor}`);
  });

  it('is zero when the data enclose the grid (radius 3 > the corners at 2√2)', () => {
    const c = instanceCoverage(paperBMassSpring, cfg, instance(3));
    assert.deepEqual([c.outsideShare, c.floor], [0, 0]);
  });

  describe('ε_field in data (evaluateField)', () => {
    // two circles of radius 1: the first is the support, the second held out
    const twoCircles: PaperBInstance = { ...instance(1), trajectories: [circle(1), circle(1)] };
    const { points } = vectorFieldGrid(paperBMassSpring.fieldGrid.box, cfg.gridSize, paperBMassSpring.fieldGrid.fixed);
    const evaluate = (model: AdaptedModel) => evaluateField(paperBMassSpring, { ...cfg, supportTrajectories: 1 }, twoCircles, model, points);

    it('is round-off for a field exact inside the data and zero beyond, whose full-grid ε_field is the coverage floor', () => {
      const e = evaluate(maskedTrueField(1));
      assert.ok((e.fieldErrorInData ?? NaN) < 1e-6, `in data ${e.fieldErrorInData}`);
      assert.ok(Math.abs(e.fieldError - instanceCoverage(paperBMassSpring, cfg, instance(1)).floor) < 1e-6, `ε_field ${e.fieldError}`);
    });

    it('equals ε_field for a uniform 10 % error and for the zero field', () => {
      const uniform = evaluate(maskedTrueField(10, 1.1));
      assert.ok(Math.abs((uniform.fieldErrorInData ?? NaN) - 0.1) < 1e-6 && Math.abs(uniform.fieldError - 0.1) < 1e-6, `${uniform.fieldErrorInData}, ${uniform.fieldError}`);
      const zero = evaluate({ ...maskedTrueField(0), field: (_t, x) => tf.zeros(x.shape) as tf.Tensor2D });
      assert.ok(Math.abs((zero.fieldErrorInData ?? NaN) - 1) < 1e-6 && Math.abs(zero.fieldError - 1) < 1e-6);
    });

    it('is null, not an error, when no grid point lies inside the data', () => {
      const tiny: PaperBInstance = { ...twoCircles, label: 'tiny', trajectories: [circle(1e-4), circle(1e-4)] };
      const e = evaluateField(paperBMassSpring, { ...cfg, gridSize: 12, supportTrajectories: 1 }, tiny, maskedTrueField(1), vectorFieldGrid(paperBMassSpring.fieldGrid.box, 12).points);
      assert.equal(e.fieldErrorInData, null);
      assert.ok(Number.isFinite(e.fieldError));
    });
  });
});
