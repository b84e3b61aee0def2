import { strict as assert } from 'assert';
import { ConfigError } from '../../src/core/errors';
import { createRng } from '../../src/core/rng';
import { extractWindows, sampleTaskWindows, sampleWindowStarts } from '../../src/data/windows';

/** A trajectory whose state k is (k + offset, −k), so a window's first state names its start. */
const ramp = (length: number, offset = 0) => Array.from({ length }, (_, k) => Float64Array.of(k + offset, -k));

describe('data/windows sampleTaskWindows (one sampler for the pendulum and the families)', () => {
  it("without drawTrajectory draws the starts alone, as the authors' sampler: the same windows as sampleWindowStarts", () => {
    const tasks = [[ramp(30)], [ramp(30, 100)]];
    const got = sampleTaskWindows(tasks, createRng(5), 3, 6, { drawTrajectory: false });
    const rng = createRng(5);
    const expected = tasks.map(([traj]) => extractWindows(traj, sampleWindowStarts(rng, traj.length, 6, 3), 6));
    assert.deepEqual(got.x0, expected.flatMap((w) => w.x0));
    assert.deepEqual(got.targets, expected[0].targets.map((row, t) => [...row, ...expected[1].targets[t]]));
    assert.deepEqual(got.taskOfRow, [0, 0, 0, 1, 1, 1]);
  });

  it('with drawTrajectory draws a trajectory before each start, and divides by the scale', () => {
    const trajectories = [ramp(20), ramp(20, 1000)];
    const got = sampleTaskWindows([trajectories], createRng(8), 4, 5, { drawTrajectory: true, scale: [2, 4] });
    const rng = createRng(8);
    for (let w = 0; w < 4; w++) {
      const traj = trajectories[rng.int(0, 2)];
      const [start] = sampleWindowStarts(rng, traj.length, 5, 1);
      assert.deepEqual(Array.from(got.x0[w]), [traj[start][0] / 2, traj[start][1] / 4]);
      assert.deepEqual(Array.from(got.targets[4][w]), [traj[start + 4][0] / 2, traj[start + 4][1] / 4]);
    }
  });

  it('even one trajectory costs a draw per window with drawTrajectory, so the two orders differ', () => {
    const tasks = [[ramp(40)]];
    const plain = sampleTaskWindows(tasks, createRng(3), 5, 4, { drawTrajectory: false });
    const drawn = sampleTaskWindows(tasks, createRng(3), 5, 4, { drawTrajectory: true });
    assert.notDeepEqual(plain.x0, drawn.x0);
  });

  it('refuses a task of several trajectories without drawTrajectory', () => {
    assert.throws(() => sampleTaskWindows([[ramp(20), ramp(20)]], createRng(1), 2, 4, { drawTrajectory: false }), (e: Error) => e instanceof ConfigError && /exactly one/.test(e.message));
  });
});
