import { strict as assert } from 'assert';
import { ConfigError } from '../../src/core/errors';
import { simulatePendulum } from '../../src/data/pendulumSimulation';

describe('data/pendulumSimulation', () => {
  it('gives steps + 1 states from the initial state, with either method', () => {
    const sim = { L: 5, theta0: 1, omega0: 0, dt: 0.05, steps: 40 };
    const byDopri5 = simulatePendulum(sim);
    const byRk4 = simulatePendulum({ ...sim, method: 'rk4' });
    assert.equal(byDopri5.length, 41);
    assert.deepEqual(Array.from(byDopri5[0]), [1, 0]);
    assert.ok(Math.abs(byDopri5[40][0] - byRk4[40][0]) < 1e-4);
  });

  it('rejects bad simulation settings naming the field', () => {
    const sim = { L: 1, theta0: 1, omega0: 0, dt: 0.01, steps: 10 };
    assert.throws(() => simulatePendulum({ ...sim, L: 0 }), (e: Error) => e instanceof ConfigError && /^L must/.test(e.message));
    assert.throws(() => simulatePendulum({ ...sim, g: -10 }), / g must/);
    assert.throws(() => simulatePendulum({ ...sim, dt: Number.NaN }), / dt must/);
    assert.throws(() => simulatePendulum({ ...sim, steps: 1.5 }), / steps must be a positive integer/);
    assert.throws(() => simulatePendulum({ ...sim, theta0: Number.NaN }), /theta0 and omega0 must be finite/);
    assert.throws(() => simulatePendulum({ ...sim, method: 'euler' as 'rk4' }), /unknown integrator 'euler'/);
  });
});
