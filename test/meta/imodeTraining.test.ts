import { strict as assert } from 'assert';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/core/backend';
import type { CheckpointStore } from '../../src/core/checkpoint';
import { createRng } from '../../src/core/rng';
import { type ImodeCheckpoint, type ImodeProblem, type ImodeTrainingOptions, metaTrain } from '../../src/meta/imodeTraining';
import { type FieldFactory, makeTaskBatch } from '../../src/meta/taskBatch';

/**
 * Two decay tasks ẋ = −(θ + η) x with rates 0.5 and 1.5, windows from random x0 with 20 % multiplicative noise on
 * the targets, so that the summed loss of an iteration is noisy and its minimum falls before the last iteration.
 */
function decayProblem(): ImodeProblem {
  const field: FieldFactory = (ps, etaRows) => (_t, y) => tf.neg(tf.mul(tf.add(ps[0], etaRows), y)) as tf.Tensor2D;
  const rates = [0.5, 1.5];
  const dt = 0.1;
  return {
    makeField: field,
    initialParams: [tf.tensor1d([0.2])],
    initialEta0: tf.tensor2d([[0.1]]),
    tasks: rates.length,
    sampleBatch: (rng) => {
      const taskOfRow = [0, 0, 1, 1];
      const x0 = taskOfRow.map(() => Float64Array.of(0.5 + rng.uniform()));
      const targets = Array.from({ length: 8 }, (_, t) => x0.map((x, r) => Float64Array.of(x[0] * Math.exp(-rates[taskOfRow[r]] * t * dt) * (1 + 0.2 * rng.normal()))));
      return makeTaskBatch(x0, targets, taskOfRow, rates.length, dt);
    },
  };
}

/** The decay problem whose `spikeAt`-th batch (counting from 0) has its targets scaled by `factor`: one outlier batch. */
function problemWithOutlierBatch(spikeAt: number, factor: number): ImodeProblem {
  const base = decayProblem();
  let calls = 0;
  return {
    ...base,
    sampleBatch: (rng) => {
      const batch = base.sampleBatch(rng);
      if (calls++ !== spikeAt) return batch;
      const scaled = { ...batch, targets: tf.mul(batch.targets, factor) as typeof batch.targets };
      batch.targets.dispose();
      return scaled;
    },
  };
}

/** A store in memory that keeps every state it is given, as the file store would have held it at that moment. */
function recordingStore(initial: ImodeCheckpoint | null = null): CheckpointStore<ImodeCheckpoint> & { saved: ImodeCheckpoint[] } {
  const saved: ImodeCheckpoint[] = [];
  return {
    file: 'memory',
    saved,
    load: () => initial,
    save: (s) => saved.push(JSON.parse(JSON.stringify(s))),
    clear: () => undefined,
  };
}

const OPTIONS: ImodeTrainingOptions = {
  outerIterations: 40,
  outerLr: 0.05,
  outerLrFinal: 0.05,
  inner: { steps: 1, optimizer: 'sgd', lr: 0.05, safeguard: 'none', maxHalvings: 0 },
  solver: { method: 'rk4', substeps: 1 },
  learnEta0: true,
  checkpointEvery: 1,
};

describe('meta/imodeTraining (outer loop, model selection)', () => {
  before(async () => {
    await initBackend();
  });

  it('returns θ and η0 of the same iteration, the one with the lowest training loss, not the last η0', () => {
    const store = recordingStore();
    const trained = metaTrain(decayProblem(), OPTIONS, createRng(3), { store });
    const b = trained.bestIteration;
    assert.ok(b >= 0 && b < OPTIONS.outerIterations - 1, `the noisy loss has its minimum before the last iteration (best ${b})`);
    assert.equal(trained.lossHistory[b], Math.min(...trained.lossHistory));
    // The weights scored at iteration b are those saved after iteration b − 1 (state.iteration = b).
    const atBest = b === 0 ? null : store.saved.find((s) => s.iteration === b);
    const expectedEta0 = atBest ? atBest.eta0.values : [0.1];
    const expectedTheta = atBest ? atBest.params[0].values : [0.2];
    assert.deepEqual(Array.from(trained.eta0.dataSync()), Array.from(Float32Array.from(expectedEta0)));
    assert.deepEqual(Array.from(trained.params[0].dataSync()), Array.from(Float32Array.from(expectedTheta)));
    const last = store.saved[store.saved.length - 1];
    assert.notDeepEqual(Array.from(trained.eta0.dataSync()), Array.from(Float32Array.from(last.eta0.values)), 'η0 moved after the best iteration, so a last-η0 pairing would show');
    tf.dispose([...trained.params, trained.eta0]);
  });

  it('records the outer gradient norm, and clipping it keeps one outlier batch from steering Adam for the rest of the run', () => {
    // η0 fixed and the inner loop inert, so θ alone fits ẋ = −(θ + 0.1) x to rates 0.5 and 1.5: θ* ≈ 0.9.
    const spikeAt = 4;
    const options: ImodeTrainingOptions = { ...OPTIONS, outerIterations: 30, learnEta0: false, inner: { ...OPTIONS.inner, lr: 1e-6 } };
    const run = (gradClip: number | undefined) => {
      const store = recordingStore();
      const trained = metaTrain(problemWithOutlierBatch(spikeAt, 100), { ...options, gradClip }, createRng(3), { store });
      tf.dispose([...trained.params, trained.eta0]);
      // θ after iteration k is the state saved with iteration = k + 1.
      const theta = store.saved.map((s) => s.params[0].values[0]);
      return { norms: trained.gradNormHistory, beforeOutlier: theta[spikeAt - 1], last: theta[theta.length - 1] };
    };
    const free = run(undefined);
    assert.equal(free.norms.length, options.outerIterations);
    const typical = free.norms.filter((_, i) => i !== spikeAt).sort((x, y) => x - y)[Math.floor(free.norms.length / 2)];
    assert.ok(free.norms[spikeAt] > 100 * typical, `the outlier's gradient (${free.norms[spikeAt]}) dwarfs the typical one (${typical})`);
    assert.ok(free.last < free.beforeOutlier, `unclipped, θ drifts along the outlier to the end: ${free.beforeOutlier} → ${free.last}`);
    const clipped = run(2 * typical);
    assert.equal(clipped.norms[spikeAt], free.norms[spikeAt], 'the recorded norm is the one before clipping');
    assert.ok(Math.abs(clipped.last - 0.9) < 0.1, `clipped, θ reaches θ* ≈ 0.9: ${clipped.last}`);
    assert.throws(() => metaTrain(decayProblem(), { ...options, gradClip: 0 }, createRng(3)), /gradClip must be > 0/);
  });

  it('leaves no tensor behind, clipped or not, with η0 learned or fixed', () => {
    for (const variant of [{}, { gradClip: 0.01 }, { learnEta0: false }, { learnEta0: false, gradClip: 0.01 }]) {
      const before = tf.memory().numTensors;
      const trained = metaTrain(decayProblem(), { ...OPTIONS, outerIterations: 5, ...variant }, createRng(3), { store: recordingStore() });
      tf.dispose([...trained.params, trained.eta0]);
      assert.equal(tf.memory().numTensors, before, JSON.stringify(variant));
    }
  });

  it('stopped after k iterations and resumed from its checkpoint, a run ends as the uninterrupted one: the schedule is that of all N', () => {
    // A falling rate, so that a stopped run which annealed over k iterations instead of N would end elsewhere.
    const options: ImodeTrainingOptions = { ...OPTIONS, outerIterations: 12, outerLrFinal: 0.005, checkpointEvery: 5 };
    const values = (t: { params: tf.Tensor[]; eta0: tf.Tensor2D }) => [...t.params, t.eta0].map((x) => Array.from(x.dataSync()));
    const straight = metaTrain(decayProblem(), options, createRng(3), { store: recordingStore() });
    const first = recordingStore();
    const stopped = metaTrain(decayProblem(), options, createRng(3), { store: first, stopAfter: 7 });
    assert.equal(stopped.lossHistory.length, 7);
    assert.equal(stopped.iterationsRun, 7);
    const saved = first.saved[first.saved.length - 1];
    assert.equal(saved.iteration, 7, 'checkpointed at the stop, though 7 is no multiple of checkpointEvery');
    assert.equal(saved.done, false);
    assert.deepEqual(stopped.lossHistory, straight.lossHistory.slice(0, 7));
    const resumed = metaTrain(decayProblem(), options, createRng(99), { store: recordingStore(saved) });
    assert.equal(resumed.iterationsRun, 5);
    assert.deepEqual(resumed.lossHistory, straight.lossHistory);
    assert.deepEqual(values(resumed), values(straight));
    // A store holding more than the stop asks for returns the full run and trains nothing.
    const finished = recordingStore();
    const full = metaTrain(decayProblem(), options, createRng(3), { store: finished });
    const reread = metaTrain(decayProblem(), options, createRng(3), { store: recordingStore(finished.saved[finished.saved.length - 1]), stopAfter: 7 });
    assert.equal(reread.iterationsRun, 0);
    assert.equal(reread.lossHistory.length, 12);
    assert.throws(() => metaTrain(decayProblem(), options, createRng(3), { stopAfter: 0 }), /stopAfter must be a positive integer/);
    for (const t of [straight, stopped, resumed, full, reread]) tf.dispose([...t.params, t.eta0]);
  });

  it('refuses a checkpoint that saved no η0 with its best θ, naming the file', () => {
    const store = recordingStore();
    const trained = metaTrain(decayProblem(), { ...OPTIONS, outerIterations: 3 }, createRng(3), { store });
    tf.dispose([...trained.params, trained.eta0]);
    const old = JSON.parse(JSON.stringify(store.saved[store.saved.length - 1])) as ImodeCheckpoint;
    delete (old.best as Partial<ImodeCheckpoint['best']>).eta0;
    const before = tf.memory().numTensors;
    assert.throws(() => metaTrain(decayProblem(), OPTIONS, createRng(3), { store: recordingStore(old) }), /memory: checkpoint written before the selected η0 was saved with the selected θ/);
    assert.equal(tf.memory().numTensors, before, 'the trainer owned and disposed the problem’s initial tensors');
  });
});
