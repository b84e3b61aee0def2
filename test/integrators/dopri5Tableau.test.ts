import { strict as assert } from 'assert';
import { dopri5, dopri5Tableau } from '../../src/integrators/index';

const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);
const nodes = [0, ...dopri5Tableau.c];

describe('dopri5Tableau', () => {
  it('each stage row sums to its node (consistency)', () => {
    dopri5Tableau.a.forEach((row, s) => assert.ok(Math.abs(sum(row) - dopri5Tableau.c[s]) < 1e-15, `row ${s}`));
  });

  it('the 5th-order weights satisfy Σb·c^(q−1) = 1/q for q = 1..5 and equal the last stage row (FSAL)', () => {
    for (let q = 1; q <= 5; q++) {
      const moment = sum(dopri5Tableau.b.map((b, i) => b * nodes[i] ** (q - 1)));
      assert.ok(Math.abs(moment - 1 / q) < 1e-15, `q=${q}: ${moment}`);
    }
    const last = dopri5Tableau.a[dopri5Tableau.a.length - 1];
    last.forEach((a, i) => assert.equal(a, dopri5Tableau.b[i]));
    assert.equal(dopri5Tableau.b[6], 0);
  });

  it('the embedded error weights sum to 0 and the mid-point weights to 1/2', () => {
    assert.ok(Math.abs(sum(dopri5Tableau.errorWeights)) < 1e-16);
    assert.ok(Math.abs(sum(dopri5Tableau.midpointWeights) - 0.5) < 1e-15);
  });

  it('the quartic fit interpolates y0, y_mid, y1 and the end slopes', () => {
    const fit = dopri5Tableau.quarticFit;
    const at = (x: number) => fit[0].map((_, i) => sum(fit.map((row, p) => row[i] * x ** p)));
    const slope = (x: number) => fit[0].map((_, i) => sum(fit.map((row, p) => (p === 0 ? 0 : p * row[i] * x ** (p - 1)))));
    // basis order [y0, y1, y_mid, h·f0, h·f1]
    assert.deepEqual(at(0), [1, 0, 0, 0, 0]);
    assert.deepEqual(at(1), [0, 1, 0, 0, 0]);
    assert.deepEqual(at(0.5), [0, 0, 1, 0, 0]);
    assert.deepEqual(slope(0), [0, 0, 0, 1, 0]);
    assert.deepEqual(slope(1), [0, 0, 0, 0, 1]);
  });

  it('dense output reproduces a quartic solution y = t⁴ exactly between steps', () => {
    const ts = [0, 0.3, 0.77, 1, 1.9, 2.5];
    const out = dopri5.solve((t) => Float64Array.of(4 * t ** 3), Float64Array.of(0), ts);
    out.forEach((y, i) => assert.ok(Math.abs(y[0] - ts[i] ** 4) < 1e-12 * (1 + ts[i] ** 4), `t=${ts[i]}: ${y[0]}`));
  });
});
