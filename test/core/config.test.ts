import { strict as assert } from 'assert';
import { ConfigError } from '../../src/core/errors';
import { ConfigOf, configHash, scaleFromEnv, Schema, validateConfig } from '../../src/core/config';

const schema = {
  dt: { kind: 'number', exclusiveMin: 0, doc: 'time step (s)' },
  steps: { kind: 'integer', min: 1, max: 1000, doc: 'training steps' },
  secondOrder: { kind: 'boolean', doc: 'second-order MAML' },
  label: { kind: 'string', optional: true, doc: 'free text' },
  method: { kind: 'enum', values: ['MAML', 'ANIL'], doc: 'meta-learner' },
  lengths: { kind: 'numberArray', min: 0, doc: 'pendulum lengths' },
  dataFile: { kind: 'file', optional: true, doc: 'input file' },
  dataDir: { kind: 'directory', optional: true, doc: 'input folder' },
} as const satisfies Schema;
type Cfg = ConfigOf<typeof schema>;

const good = { dt: 0.01, steps: 10, secondOrder: false, method: 'MAML', lengths: [1, 2.5] };

function rejects(raw: unknown, pattern: RegExp): void {
  assert.throws(() => validateConfig<Cfg>(schema, raw), (e: unknown) => e instanceof ConfigError && pattern.test(e.message));
}

describe('core/config validateConfig', () => {
  it('accepts a valid config and returns a frozen copy', () => {
    const raw = { ...good, lengths: [...good.lengths] };
    const c = validateConfig<Cfg>(schema, raw);
    assert.deepEqual(c, good);
    assert.ok(Object.isFrozen(c) && Object.isFrozen(c.lengths));
    raw.lengths.push(9);
    assert.deepEqual(c.lengths, [1, 2.5], 'the copy does not alias the input');
    const method: 'MAML' | 'ANIL' = c.method; // the enum keeps its literal type
    assert.equal(method, 'MAML');
  });

  it('rejects unknown keys, listing the allowed ones', () => {
    rejects({ ...good, lr: 1 }, /config\.lr is not a known field; allowed: dt, steps, secondOrder, label, method/);
  });

  it('rejects missing required keys and names them with their doc', () => {
    const { steps: _omit, ...rest } = good;
    rejects(rest, /config\.steps is required \(training steps\)/);
  });

  it('shows the violated bound', () => {
    rejects({ ...good, dt: -0.01 }, /config\.dt must be > 0, got -0\.01/);
    rejects({ ...good, dt: 0 }, /config\.dt must be > 0, got 0/);
    rejects({ ...good, steps: 0 }, /config\.steps must be >= 1, got 0/);
    rejects({ ...good, steps: 1001 }, /config\.steps must be <= 1000, got 1001/);
    rejects({ ...good, lengths: [1, -2] }, /config\.lengths\[1\] must be >= 0, got -2/);
  });

  it('rejects wrong types, NaN, Infinity and non-integers', () => {
    rejects({ ...good, dt: '0.01' }, /config\.dt must be a number, got '0\.01'/);
    rejects({ ...good, dt: NaN }, /config\.dt must be finite, got NaN/);
    rejects({ ...good, lengths: [Infinity] }, /config\.lengths\[0\] must be finite, got Infinity/);
    rejects({ ...good, steps: 2.5 }, /config\.steps must be an integer, got 2\.5/);
    rejects({ ...good, secondOrder: 1 }, /config\.secondOrder must be true or false/);
    rejects({ ...good, lengths: 3 }, /config\.lengths must be an array of numbers/);
    rejects([1], /config must be an object, got an array/);
    rejects(null, /config must be an object, got null/);
  });

  it('lists the allowed enum values', () => {
    rejects({ ...good, method: 'Reptile' }, /config\.method must be one of 'MAML', 'ANIL', got 'Reptile'/);
  });

  it('checks that file and directory paths exist (repo-relative) and are of the right kind', () => {
    assert.equal(validateConfig<Cfg>(schema, { ...good, dataFile: 'package.json', dataDir: 'data' }).dataDir, 'data');
    rejects({ ...good, dataFile: 'data/missing.txt' }, /config\.dataFile: file 'data\/missing\.txt' does not exist/);
    rejects({ ...good, dataFile: 'data' }, /config\.dataFile: 'data' is not a file/);
    rejects({ ...good, dataDir: 'package.json' }, /config\.dataDir: 'package\.json' is not a directory/);
  });

  it('reports every problem at once, under the given location', () => {
    assert.throws(
      () => validateConfig<Cfg>(schema, { ...good, dt: -1, method: 'x' }, 'experiments.pendulum'),
      (e: Error) => /experiments\.pendulum\.dt must be > 0/.test(e.message) && /experiments\.pendulum\.method must be one of/.test(e.message),
    );
  });
});

describe('core/config configHash', () => {
  it('is 16 hex characters, independent of key order at every depth', () => {
    const a = configHash({ b: 1, a: { y: [1, 2], x: 'z' } });
    const b = configHash({ a: { x: 'z', y: [1, 2] }, b: 1 });
    assert.match(a, /^[0-9a-f]{16}$/);
    assert.equal(a, b);
  });

  it('changes with any value, including array order', () => {
    const h = configHash({ lr: 1e-3, sizes: [1, 2] });
    assert.notEqual(configHash({ lr: 1e-4, sizes: [1, 2] }), h);
    assert.notEqual(configHash({ lr: 1e-3, sizes: [2, 1] }), h);
  });

  it('refuses non-finite numbers, which JSON would collapse to null', () => {
    assert.throws(() => configHash({ lr: NaN }), ConfigError);
  });
});

describe('core/config scaleFromEnv', () => {
  it('defaults to default and reads the three scales', () => {
    assert.equal(scaleFromEnv({}), 'default');
    assert.equal(scaleFromEnv({ METADYN_SCALE: 'smoke' }), 'smoke');
    assert.equal(scaleFromEnv({ METADYN_SCALE: 'paper' }), 'paper');
  });
  it('rejects other values, listing the allowed ones', () => {
    assert.throws(() => scaleFromEnv({ METADYN_SCALE: 'huge' }), /METADYN_SCALE must be one of smoke, default, paper, converged, got 'huge'/);
  });
});
