/**
 * The benchmark compares like with like: every workload of src/bench/workloads.ts computes the same loss and the
 * same parameter gradients as its PyTorch reference (bench/torch_workloads.py, float64) on identical weights and
 * inputs exported as JSON. Skipped, with the reason, where Debian's python3-torch is not installed.
 */
import { strict as assert } from 'assert';
import { initBackend } from '../../src/core/backend';
import { WORKLOAD_NAMES, createWorkload } from '../../src/bench/workloads';
import { checkParity, relativeMaxDifference, torchUnavailable } from '../../src/bench/torchReference';
import { PARITY_TOLERANCE } from '../../src/cli/benchParity';
import { imodeWorkloadSetup } from '../../src/cli/benchWorkloadRuns';
import { tmpDir } from '../helpers/tmpDir';

describe('relativeMaxDifference', () => {
  it('scales by the reference maximum and falls back to the absolute difference for zeros', () => {
    assert.equal(relativeMaxDifference([1, 2.5], [1, 2]), 0.25);
    assert.equal(relativeMaxDifference([0.5], [0]), 0.5);
    assert.throws(() => relativeMaxDifference([1], [1, 2]), /lengths/);
  });
});

describe('bench workloads against the PyTorch reference', function () {
  this.timeout(600000);
  const reason = torchUnavailable();
  before(async function () {
    if (reason) {
      console.log(`      skipped: ${reason}`);
      this.skip();
    }
    await initBackend();
  });

  for (const name of WORKLOAD_NAMES) {
    // The second-order workload takes minutes at its benchmark size (`npm run bench -- --check` runs it): here it
    // runs on 4 windows of 20 steps, the same code path.
    const size = name === 'imode-so5' ? { windows: 4, points: 21 } : {};
    it(`${name}: same loss and parameter gradients (rel ${PARITY_TOLERANCE})${name === 'imode-so5' ? ', 4 windows × 20 steps' : ''}`, () => {
      const p = checkParity(() => createWorkload(name, imodeWorkloadSetup, 8, size), tmpDir('bench-parity-'));
      console.log(`      ${name}: loss rel. diff ${p.loss.relativeDifference.toExponential(1)}, worst gradient rel. diff ${p.worstGradientRelativeDifference.toExponential(1)} over ${p.gradientRelativeDifferences.length} tensors`);
      assert.equal(p.tensorsAfter, p.tensorsBefore, 'the workload leaves no tensor behind');
      assert.ok(p.loss.relativeDifference < PARITY_TOLERANCE, `loss ${p.loss.ours} vs PyTorch ${p.loss.torch}`);
      p.gradientRelativeDifferences.forEach((d, i) => assert.ok(d < PARITY_TOLERANCE, `gradient ${i}: relative difference ${d}`));
    });
  }
});
