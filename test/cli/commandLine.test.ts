import { strict as assert } from 'assert';
import { ConfigError } from '../../src/core/errors';
import { parseOverrides, parseStudyArgs } from '../../src/cli/commandLine';

describe('cli/commandLine: the arguments every study command shares', () => {
  const usage = 'npm run x -- <id> [--scale S] [--set key=value ...]';

  it('reads --scale (default "default"), --set as JSON where it parses, the positionals and the command’s own options', () => {
    const a = parseStudyArgs(['spd-pendulum', '--scale', 'converged', '--set', 'metaIterations=50', '--set', 'activation=tanh', '--extra', '9'], usage, { extra: '80', coordinates: undefined });
    assert.equal(a.scale, 'converged');
    assert.deepEqual(a.overrides, { metaIterations: 50, activation: 'tanh' });
    assert.deepEqual(a.positionals, ['spd-pendulum']);
    assert.deepEqual(a.options, { extra: '9', coordinates: undefined });
    const b = parseStudyArgs([], usage, { extra: '80' });
    assert.equal(b.scale, 'default');
    assert.deepEqual(b.options, { extra: '80' }, 'the default of an own option');
  });

  it('rejects an unknown option, a bad scale and a --set without key=value as ConfigErrors naming the usage', () => {
    assert.throws(() => parseStudyArgs(['--sclae', 'paper'], usage), (e: unknown) => e instanceof ConfigError && e.message.includes(usage));
    assert.throws(() => parseStudyArgs(['--extra', '3'], usage), ConfigError, 'an option another command has is unknown here');
    assert.throws(() => parseStudyArgs(['--scale', 'huge'], usage), /--scale must be one of/);
    assert.throws(() => parseOverrides(['=3']), /--set takes key=value/);
  });
});
