import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ConfigError, DataError } from '../../src/core/errors';
import { createRng } from '../../src/core/rng';
import {
  IMODE_PENDULUM_ORDER,
  IMODE_TRAIN_LENGTHS,
  loadImodePendulum,
  parseTrajectoryText,
  splitOf,
} from '../../src/data/imodePendulum';
import { extractWindows, sampleWindowStarts } from '../../src/data/windows';
import { simulatePendulum } from '../../src/data/pendulumSimulation';

const DATA_DIR = path.join(__dirname, '..', '..', 'data', 'imode-pendulum');
const instances = loadImodePendulum(DATA_DIR);

/** assert.throws predicate: a DataError at file:line whose message matches */
const dataErrorAt = (file: string, line: number | undefined, message: RegExp) => (e: Error) =>
  e instanceof DataError && e.file === file && e.line === line && message.test(e.message);

describe('iMODE pendulum data', () => {
  it('loads the 13 files in the authors’ order, 1001 rows of (θ, ω) each, dt = 0.01', () => {
    assert.deepEqual(
      instances.map((inst) => inst.L),
      [1, 3, 5, 7, 9, 2, 4, 6, 8, 10, 3.5, 5.1, 6.9],
    );
    assert.deepEqual(instances.map((inst) => inst.L), [...IMODE_PENDULUM_ORDER]);
    for (const inst of instances) {
      assert.equal(path.basename(inst.file), `${inst.L.toFixed(1)}.txt`);
      assert.equal(inst.dt, 0.01);
      assert.equal(inst.states.length, 1001);
      assert.ok(inst.states.every((x) => x.length === 2));
    }
  });

  it('starts every file at rest from θ = π/2 with initial acceleration ω(dt)/dt ≈ −g/L', () => {
    for (const inst of instances) {
      assert.ok(Math.abs(inst.states[0][0] - Math.PI / 2) < 1e-12 && inst.states[0][1] === 0, `L=${inst.L}`);
      const acceleration = inst.states[1][1] / inst.dt;
      assert.ok(Math.abs(acceleration / (-10 / inst.L) - 1) < 1e-6, `L=${inst.L}: ${acceleration}`);
    }
  });

  it('is reproduced by our simulator to within 0.03 rad in θ over the full 10 s', () => {
    // Max |θ_file − θ_ours| with dopri5 at rtol 1e-12 (ours agrees with RK4 at dt/20 to 1e-10), per L:
    //   1: 0.0113   2: 0.0035   3: 0.0103   3.5: 0.0118   4: 0.0199   5: 0.0101   5.1: 0.0101
    //   6: 0.0163   6.9: 0.0192   7: 0.0194   8: 0.0088   9: 0.0062   10: 0.0060
    // The files come from a looser integrator (see data/imode-pendulum/README.md), so they are not exact.
    for (const inst of instances) {
      const start = { theta0: Math.PI / 2, omega0: 0 };
      const ours = simulatePendulum({ L: inst.L, g: 10, ...start, dt: 0.01, steps: 1000, rtol: 1e-12, atol: 1e-14 });
      const deviation = Math.max(...inst.states.map((x, i) => Math.abs(x[0] - ours[i][0])));
      assert.ok(deviation < 0.03, `L=${inst.L}: ${deviation}`);
    }
  });

  it('splits lengths as the authors do: 5 train, 7 interpolate, L = 10 extrapolates', () => {
    const byLength = Object.fromEntries(instances.map((inst) => [inst.L, splitOf(inst.L)]));
    assert.deepEqual(
      IMODE_TRAIN_LENGTHS.map((L) => byLength[L]),
      ['train', 'train', 'train', 'train', 'train'],
    );
    for (const L of [2, 4, 6, 8, 3.5, 5.1, 6.9]) assert.equal(byLength[L], 'interpolate');
    assert.equal(byLength[10], 'extrapolate');
    assert.equal(splitOf(0.5), 'extrapolate');
    assert.throws(() => splitOf(-1), ConfigError);
  });
});

describe('parseTrajectoryText', () => {
  const parse = (text: string) => () => parseTrajectoryText(text, 'x.txt', { columns: 2 });

  it('reads rows of numbers with or without a final newline, LF or CRLF', () => {
    const expected = [[1.5, 0], [-2e-3, 0.25]];
    for (const text of ['1.5,0\n-2e-3,.25', '1.5,0\n-2e-3,.25\n', '1.5, 0\r\n-2e-3 ,0.25\r\n']) {
      assert.deepEqual(parseTrajectoryText(text, 'x.txt', { columns: 2 }).map((r) => Array.from(r)), expected);
    }
  });

  it('names file and line of a non-numeric or non-finite value', () => {
    assert.throws(parse('1,2\n3,4\n5,abc\n'), dataErrorAt('x.txt', 3, /^x\.txt:3: column 2 is not a number: 'abc'/));
    assert.throws(parse('1,2\nNaN,4\n'), dataErrorAt('x.txt', 2, /column 1 is not a number/));
    assert.throws(parse('1,2\n0x10,4\n'), dataErrorAt('x.txt', 2, /column 1 is not a number/));
    assert.throws(parse('1,\n'), dataErrorAt('x.txt', 1, /column 2 is not a number: ''/));
    assert.throws(parse('1,2\n3,4\n1e999,0'), dataErrorAt('x.txt', 3, /column 1 is not finite/));
  });

  it('names file and line of a wrong column count or a blank line', () => {
    assert.throws(parse('1,2\n3,4,5\n'), dataErrorAt('x.txt', 2, /expected 2 comma-separated columns, found 3/));
    assert.throws(parse('1,2\n3\n'), dataErrorAt('x.txt', 2, /found 1/));
    assert.throws(parse('1,2\n\n3,4\n'), dataErrorAt('x.txt', 2, /found 1/));
  });

  it('rejects an empty file', () => {
    assert.throws(parse(''), dataErrorAt('x.txt', undefined, /file is empty/));
    assert.throws(parse('\n'), /file is empty/);
  });
});

describe('loadImodePendulum on a damaged copy', () => {
  let dir = '';
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'imode-pendulum-'));
    for (const name of fs.readdirSync(DATA_DIR)) fs.copyFileSync(path.join(DATA_DIR, name), path.join(dir, name));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('names a missing file', () => {
    fs.unlinkSync(path.join(dir, '5.1.txt'));
    const expected = `missing file for L=5.1: expected ${path.join(dir, '5.1.txt')}`;
    assert.throws(() => loadImodePendulum(dir), (e: Error) => e instanceof DataError && e.message.includes(expected));
  });

  it('names a missing directory', () => {
    const missing = path.join(dir, 'nope');
    assert.throws(() => loadImodePendulum(missing), (e: Error) => e instanceof DataError && e.message.includes(missing));
  });

  it('rejects a file whose name is not a number, or is not one of the authors’ lengths', () => {
    const badName = path.join(dir, 'L7.txt');
    fs.writeFileSync(badName, '1,2\n');
    assert.throws(() => loadImodePendulum(dir), dataErrorAt(badName, undefined, /file name must be the pendulum length/));
    fs.unlinkSync(badName);
    fs.writeFileSync(path.join(dir, '11.0.txt'), '1,2\n');
    assert.throws(() => loadImodePendulum(dir), /L=11 is not one of the authors' lengths/);
  });

  it('rejects a truncated file and a malformed row with its line', () => {
    const file = path.join(dir, '3.0.txt');
    const lines = fs.readFileSync(file, 'utf8').trimEnd().split('\n');
    fs.writeFileSync(file, lines.slice(0, 1000).join('\n'));
    assert.throws(() => loadImodePendulum(dir), dataErrorAt(file, undefined, /expected 1001 rows .* found 1000/));
    lines[41] = '0.5;0.1';
    fs.writeFileSync(file, lines.join('\n'));
    assert.throws(() => loadImodePendulum(dir), dataErrorAt(file, 42, /found 1/));
  });
});

describe('windows', () => {
  const traj = instances[0].states.slice(0, 1000); // the authors keep the first 1000 rows

  it('draws starts in [0, length − windowSteps − 2], reproducibly for a seed', () => {
    const starts = sampleWindowStarts(createRng(1), 1000, 100, 5000);
    assert.equal(starts.length, 5000);
    assert.ok(starts.every((s) => Number.isInteger(s) && s >= 0 && s <= 898));
    assert.equal(Math.min(...starts), 0);
    assert.equal(Math.max(...starts), 898);
    assert.deepEqual(sampleWindowStarts(createRng(1), 1000, 100, 5000), starts);
    assert.notDeepEqual(sampleWindowStarts(createRng(2), 1000, 100, 5000), starts);
  });

  it('cuts windows of shape x0 [B][d], targets [windowSteps][B][d] starting with x0', () => {
    const starts = sampleWindowStarts(createRng(4), traj.length, 100, 20);
    const { x0, targets } = extractWindows(traj, starts, 100);
    assert.equal(x0.length, 20);
    assert.ok(x0.every((x) => x.length === 2));
    assert.equal(targets.length, 100);
    assert.ok(targets.every((batch) => batch.length === 20 && batch.every((x) => x.length === 2)));
    starts.forEach((s, b) => {
      assert.deepEqual(x0[b], traj[s]);
      assert.deepEqual(targets[0][b], traj[s]);
      assert.deepEqual(targets[99][b], traj[s + 99]);
    });
    targets[0][0][0] = 123; // copies, not views of the trajectory
    assert.notEqual(traj[starts[0]][0], 123);
    assert.notEqual(x0[0][0], 123);
  });

  it('rejects windows that do not fit', () => {
    assert.throws(
      () => sampleWindowStarts(createRng(1), 100, 99, 1),
      (e: Error) => e instanceof ConfigError && /windowSteps must be at most .* 98/.test(e.message),
    );
    assert.deepEqual(sampleWindowStarts(createRng(1), 100, 98, 3), [0, 0, 0]);
    assert.throws(() => sampleWindowStarts(createRng(1), 100, 10, 0), /count must be a positive integer/);
    assert.throws(() => extractWindows(traj, [0, 901], 100), /starts\[1\]=901 must be an integer in \[0, 900\]/);
    assert.throws(() => extractWindows(traj, [], 100), /at least one/);
  });
});
