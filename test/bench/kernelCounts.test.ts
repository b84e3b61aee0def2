/**
 * Kernel launches of one training step of the benchmark workloads. On the wasm backend a step's cost is mostly its
 * launch count (toolchain.md §7), and tf.profile's kernel list is deterministic for a given code path, so a change
 * that adds launches to these steps fails here and has to raise the bound on purpose. The bounds are the counts
 * measured when they were set (before: hnn 283, hnn-rank1 943, imode-rk4 at this size 7746, with either engine);
 * with XNNPACK's products the input gradient keeps its explicit transposes (src/nn/inputGradient.ts, flagsExact),
 * hence a second set.
 */
import { strict as assert } from 'assert';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/core/backend';
import { matMulEngine } from '../../src/core/matMulEngine';
import { type WorkloadName, type WorkloadSize, createWorkload } from '../../src/bench/workloads';
import { imodeWorkloadSetup } from '../../src/cli/benchWorkloadRuns';

interface Bound {
  name: WorkloadName;
  size: WorkloadSize;
  label: string;
  openblas: number;
  xnnpack: number;
}

const BOUNDS: Bound[] = [
  { name: 'hnn', size: {}, label: 'hnn', openblas: 204, xnnpack: 216 },
  { name: 'hnn-rank1', size: {}, label: 'hnn-rank1', openblas: 684, xnnpack: 684 },
  // 10 RK4 steps instead of 100: the same code per evaluation, a tenth of the time.
  { name: 'imode-rk4', size: { windows: 20, points: 11 }, label: 'imode-rk4, 20 windows × 10 steps', openblas: 6228, xnnpack: 6828 },
];

describe('bench workloads: kernel launches per training step', function () {
  this.timeout(300000);
  before(async function () {
    await initBackend();
    if (tf.getBackend() !== 'wasm') {
      console.log(`      skipped: the bounds are the wasm backend's, this run uses ${tf.getBackend()}`);
      this.skip();
    }
  });

  for (const b of BOUNDS) {
    it(`${b.label}: at most the measured count`, async () => {
      const w = createWorkload(b.name, imodeWorkloadSetup, 8, b.size);
      w.step();
      const before = tf.memory().numTensors;
      const { kernels } = await tf.profile(() => {
        w.step();
      });
      assert.equal(tf.memory().numTensors, before, 'a step leaves no tensor behind');
      w.dispose();
      const bound = matMulEngine() === 'xnnpack' ? b.xnnpack : b.openblas;
      console.log(`      ${b.label}: ${kernels.length} kernels (bound ${bound}, products: ${matMulEngine()})`);
      assert.ok(kernels.length <= bound, `${kernels.length} kernels per step, more than the ${bound} measured`);
    });
  }
});
