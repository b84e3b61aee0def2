/**
 * Training windows cut from long trajectories, as the iMODE authors build a task batch (`PendulumTask.getTask`):
 * `count` start indices s ~ randint(0, trajectoryLength − windowSteps − 1), numpy's exclusive upper bound, so
 * 0 ≤ s ≤ trajectoryLength − windowSteps − 2 and a window never reaches the trajectory's last two samples (kept
 * as in the authors' code). A window is the windowSteps consecutive states x[s], …, x[s + windowSteps − 1]: its first
 * state is the initial condition of a rollout and the whole window, t = 0 included, is its target.
 *
 * The windows of several tasks stack along rows (`sampleTaskWindows`, task k = the k-th list of trajectories): per task,
 * `count` windows, each cut from the task's only trajectory (the authors' sampler: the draws are the starts alone) or,
 * with `drawTrajectory`, from a trajectory drawn uniformly before each start. A state is divided by `scale`
 * componentwise when one is given (x̃ = x ⊘ s, the units a model sees).
 */
import { ConfigError, requirePositiveInteger } from '../core/errors';
import { Rng } from '../core/rng';

export interface Windows {
  /** [B][d]: the first state of each window */
  x0: Float64Array[];
  /** [windowSteps][B][d]: targets[k][b] = trajectory[starts[b] + k]; targets[0] equals x0 */
  targets: Float64Array[][];
}

/** `count` window starts, each uniform in [0, trajectoryLength − windowSteps − 2]. */
export function sampleWindowStarts(rng: Rng, trajectoryLength: number, windowSteps: number, count: number): number[] {
  requirePositiveInteger('trajectoryLength', trajectoryLength);
  requirePositiveInteger('windowSteps', windowSteps);
  requirePositiveInteger('count', count);
  if (windowSteps > trajectoryLength - 2) {
    throw new ConfigError(
      `windowSteps must be at most trajectoryLength − 2 = ${trajectoryLength - 2} ` +
        `(the authors' start bound randint(0, length − windowSteps − 1) must be non-empty), got ${windowSteps}`,
    );
  }
  return Array.from({ length: count }, () => rng.int(0, trajectoryLength - windowSteps - 1));
}

/** Windows of several tasks stacked along rows: x0[r], targets[t][r], and the task taskOfRow[r] row r belongs to. */
export interface TaskWindows extends Windows {
  taskOfRow: number[];
}

/** `count` windows of `steps` states of each task's trajectories (see the header for the draws and the scale). */
export function sampleTaskWindows(
  tasks: readonly (readonly Float64Array[][])[],
  rng: Rng,
  count: number,
  steps: number,
  opts: { drawTrajectory: boolean; scale?: readonly number[] },
): TaskWindows {
  const x0: Float64Array[] = [];
  const targets: Float64Array[][] = Array.from({ length: steps }, () => []);
  const taskOfRow: number[] = [];
  const scaled = (state: Float64Array) => (opts.scale ? state.map((v, i) => v / (opts.scale as readonly number[])[i]) : state);
  tasks.forEach((trajectories, k) => {
    if (!opts.drawTrajectory && trajectories.length !== 1) {
      throw new ConfigError(`task ${k} has ${trajectories.length} trajectories; without drawTrajectory a task has exactly one`);
    }
    for (let w = 0; w < count; w++) {
      const traj = trajectories[opts.drawTrajectory ? rng.int(0, trajectories.length) : 0];
      const win = extractWindows(traj, sampleWindowStarts(rng, traj.length, steps, 1), steps);
      x0.push(scaled(win.x0[0]));
      win.targets.forEach((row, t) => targets[t].push(scaled(row[0])));
      taskOfRow.push(k);
    }
  });
  return { x0, targets, taskOfRow };
}

/** The windows of windowSteps states beginning at each start (copies; the trajectory is not aliased). */
export function extractWindows(traj: Float64Array[], starts: number[], windowSteps: number): Windows {
  requirePositiveInteger('windowSteps', windowSteps);
  if (starts.length === 0) throw new ConfigError('starts must hold at least one window start');
  starts.forEach((s, b) => {
    if (!Number.isInteger(s) || s < 0 || s + windowSteps > traj.length) {
      throw new ConfigError(
        `starts[${b}]=${s} must be an integer in [0, ${traj.length - windowSteps}] ` +
          `for windows of ${windowSteps} states in a trajectory of ${traj.length}`,
      );
    }
  });
  const targets = Array.from({ length: windowSteps }, (_, k) => starts.map((s) => Float64Array.from(traj[s + k])));
  return { x0: targets[0].map((x) => Float64Array.from(x)), targets };
}
