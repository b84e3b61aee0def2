import { strict as assert } from 'assert';
import { ConfigError } from '../../src/core/errors';
import { doublePendulum } from '../../src/systems/doublePendulum';
import { slinky } from '../../src/systems/slinky';
import { paramBoxCorners } from '../../src/systems/types';

describe('systems/types paramBoxCorners (an experiment’s default box, from its system)', () => {
  it('gives the corners over the named parameters, in the order named', () => {
    assert.deepEqual(paramBoxCorners(slinky, ['kBending', 'kAxial']), { low: [5e-4, 2.5], high: [2e-3, 7.5] });
    assert.deepEqual(paramBoxCorners(doublePendulum, ['l2']), { low: [0.5], high: [1.5] });
  });

  it('refuses a system without a box, naming it', () => {
    const { paramBox: _unused, ...boxless } = doublePendulum;
    assert.throws(() => paramBoxCorners(boxless, ['l1']), (e: Error) => e instanceof ConfigError && /doublePendulum|double/i.test(e.message) && /no paramBox/.test(e.message));
  });
});
