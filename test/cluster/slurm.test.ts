import { strict as assert } from 'assert';
import { arraySubmitArgs, batchScripts, logFiles, mergeSubmitArgs, parseSbatchJobId, shellWord } from '../../src/cli/slurm';
import { ConfigError, DataError } from '../../src/core/errors';

const PLAN = { dir: '/shared/metadyn/results/slurm/20260102T030405Z-abcdef12', repo: '/shared/metadyn', cellCount: 45, command: 'npm run reproduce -- --slurm' };

describe('cli/slurm: batch scripts and submission', () => {
  it('the array script has one task per cell, each running npm run cell for its index, logging per index', () => {
    const { cells } = batchScripts(PLAN);
    const lines = cells.split('\n');
    assert.equal(lines[0], '#!/bin/bash');
    assert.ok(lines.includes('#SBATCH --array=0-44'), cells);
    assert.ok(lines.includes(`#SBATCH --output=${PLAN.dir}/logs/cell-%a.out`), cells);
    assert.ok(lines.includes('#SBATCH --chdir=/shared/metadyn'));
    assert.ok(lines.includes(`exec npm run --silent cell -- --manifest ${PLAN.dir}/cells.json --index "$SLURM_ARRAY_TASK_ID"`), cells);
    const directives = lines.filter((l) => l.startsWith('#SBATCH'));
    assert.equal(lines.findIndex((l) => !l.startsWith('#')), lines.indexOf(directives[directives.length - 1]) + 1, 'sbatch reads #SBATCH lines only before the first command');
    assert.ok(batchScripts({ ...PLAN, cellCount: 1 }).cells.includes('#SBATCH --array=0-0\n'));
  });

  it('the merge script runs the merge of the same manifest, with no array', () => {
    const { merge } = batchScripts(PLAN);
    assert.ok(!merge.includes('--array'));
    assert.ok(merge.includes(`#SBATCH --output=${logFiles(PLAN.dir).merge}`));
    assert.ok(merge.includes(`exec npm run --silent cell -- --manifest ${PLAN.dir}/cells.json --merge`), merge);
  });

  it('the merge waits for every task of the array job and is cancelled when one fails; --sbatch-arg reaches both', () => {
    const extra = ['--partition=short', '--time=02:00:00'];
    assert.deepEqual(arraySubmitArgs('/d/cells.sbatch', extra), ['--parsable', '--partition=short', '--time=02:00:00', '/d/cells.sbatch']);
    assert.deepEqual(mergeSubmitArgs('/d/merge.sbatch', '4711', extra), ['--parsable', '--dependency=afterok:4711', '--kill-on-invalid-dep=yes', '--partition=short', '--time=02:00:00', '/d/merge.sbatch']);
  });

  it("reads sbatch --parsable's job id, with or without a cluster name", () => {
    assert.equal(parseSbatchJobId('4711\n'), '4711');
    assert.equal(parseSbatchJobId('4712;cluster-a\n'), '4712');
    assert.throws(() => parseSbatchJobId('sbatch: error: Batch job submission failed\n'), DataError);
    assert.throws(() => parseSbatchJobId(''), DataError);
  });

  it('refuses what an #SBATCH line cannot hold, and quotes shell words that need it', () => {
    assert.throws(() => batchScripts({ ...PLAN, cellCount: 0 }), ConfigError);
    assert.throws(() => batchScripts({ ...PLAN, repo: '/my files/metadyn' }), (e: unknown) => e instanceof ConfigError && /white space: '\/my files\/metadyn'/.test(e.message));
    assert.equal(shellWord('/a/b-c_d.json'), '/a/b-c_d.json');
    assert.equal(shellWord("it's"), `'it'\\''s'`);
  });
});
