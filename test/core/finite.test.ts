import { strict as assert } from 'assert';
import { NonFiniteError } from '../../src/core/errors';
import { assertFiniteTerms } from '../../src/core/finite';

describe('core/finite', () => {
  it('passes finite terms', () => {
    assertFiniteTerms(3, { loss: 0.5, penalty: -1e-30 }, { lr: 1 });
  });

  it('throws NonFiniteError carrying the step and the terms for NaN and ±Infinity', () => {
    for (const bad of [NaN, Infinity, -Infinity]) {
      assert.throws(
        () => assertFiniteTerms(17, { loss: 0.1, energy: bad }, { lr: 0.01 }),
        (e: unknown) => e instanceof NonFiniteError && e.step === 17 && Object.is(e.terms.energy, bad) && /step 17/.test(e.message) && /"lr":0\.01/.test(e.message),
      );
    }
  });
});
