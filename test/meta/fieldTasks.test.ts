import { strict as assert } from 'assert';
import { type OuterLoopOptions, outerStepSize, validateOuterLoopOptions } from '../../src/meta/fieldTasks';

const LOOP: OuterLoopOptions = { outerIterations: 101, innerSteps: 3, innerLr: 1e-2, outerLr: 3e-3 };

describe('meta/fieldTasks outer step schedule', () => {
  it('is the constant outerLr without outerLrFinal (the spec), bit for bit', () => {
    for (const i of [0, 50, 100]) assert.equal(outerStepSize(LOOP, i), LOOP.outerLr);
  });

  it('anneals by a cosine from outerLr at the first iteration to outerLrFinal at the last, halfway at the middle, never rising', () => {
    const o = { ...LOOP, outerLrFinal: 3e-4 };
    assert.equal(outerStepSize(o, 0), 3e-3);
    assert.ok(Math.abs(outerStepSize(o, 100) - 3e-4) < 1e-15);
    assert.ok(Math.abs(outerStepSize(o, 50) - (3e-3 + 3e-4) / 2) < 1e-15);
    for (let i = 1; i <= 100; i++) assert.ok(outerStepSize(o, i) <= outerStepSize(o, i - 1), `step ${i}`);
  });

  it('rejects an outerLrFinal above outerLr or not positive', () => {
    assert.throws(() => validateOuterLoopOptions({ ...LOOP, outerLrFinal: 1e-2 }), /outerLrFinal must be in \(0, outerLr = 0.003\]/);
    assert.throws(() => validateOuterLoopOptions({ ...LOOP, outerLrFinal: 0 }), /outerLrFinal/);
    validateOuterLoopOptions({ ...LOOP, outerLrFinal: 3e-3 });
  });
});
