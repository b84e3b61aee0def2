/**
 * `npm run reproduce -- --slurm` against a real single-node Slurm (scripts/slurm-local.sh; CI starts it before npm
 * test, and this test starts it, and stops it after, when it is not running). A smoke-scale job array of four
 * spd-pendulum cells and its dependent merge, under one temporary results root, give the metrics.json of a plain
 * local run under another: the same numbers but for the timing keys. Skipped, with the reason, only where sbatch is
 * not installed.
 */
import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { REPO_ROOT } from '../../src/cli/commandLine';
import { runProcess } from '../../src/cli/processes';
import { experimentById } from '../../src/experiments/registry';
import { tmpDir, withResultsRoot } from '../helpers/tmpDir';

const SLURM_LOCAL = path.join(REPO_ROOT, 'scripts', 'slurm-local.sh');
const CELL_METHODS = ['MAML', 'SVD', 'RO', 'Shift'];
/**
 * The keys whose values are wall-clock measurements, ignored wherever they stand: a method's meta-training
 * `seconds`, its mean `adaptSeconds`, and the provenance's `wallSeconds`, `startedAt`, `finishedAt`.
 */
const TIMING_KEYS = new Set(['seconds', 'adaptSeconds', 'wallSeconds', 'startedAt', 'finishedAt']);
/**
 * Not timing but what this process did: `training[].iterationsRun` is the outer iterations run in the session that
 * wrote the file (0 where the merge reloaded a cell's finished checkpoint). Compared apart, against what it must be.
 */
const SESSION_KEYS = new Set(['iterationsRun']);

function withoutKeys(value: unknown, drop: ReadonlySet<string>): unknown {
  if (Array.isArray(value)) return value.map((v) => withoutKeys(v, drop));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).filter(([k]) => !drop.has(k)).map(([k, v]) => [k, withoutKeys(v, drop)]));
  }
  return value;
}

const readJson = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8'));

function sh(command: string, args: readonly string[], env: NodeJS.ProcessEnv): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(command, args, { env, encoding: 'utf8', timeout: 90000 });
  return { code: r.status ?? 1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

/** `scontrol show job -o`'s JobState of every line (one per array task), or null once slurmctld forgot the job. */
function jobStates(jobId: string, env: NodeJS.ProcessEnv): string[] | null {
  const r = sh('scontrol', ['show', 'job', '-o', jobId], env);
  if (r.code !== 0) return null;
  return r.stdout.trim().split('\n').map((line) => /JobState=(\S+)/.exec(line)?.[1] ?? 'UNKNOWN');
}

const TERMINAL = /^(COMPLETED|FAILED|CANCELLED|TIMEOUT|NODE_FAIL|OUT_OF_MEMORY|BOOT_FAIL|DEADLINE|PREEMPTED)$/;

async function waitForJob(jobId: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const states = jobStates(jobId, env);
    if (states && states.every((s) => TERMINAL.test(s))) return states;
    if (Date.now() > deadline) throw new Error(`job ${jobId} not finished after ${timeoutMs / 1000} s: ${states?.join(', ') ?? 'unknown to scontrol'}`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

describe('cluster: reproduce --slurm on a real single-node Slurm (smoke)', function () {
  this.timeout(240000);
  // on PATH, not `sbatch --version`: that already needs a configured cluster
  const installed = sh('sh', ['-c', 'command -v sbatch'], process.env).code === 0;
  let startedHere = false;
  let env: NodeJS.ProcessEnv = process.env;

  before(function () {
    if (!installed) {
      console.log('      skipped: sbatch is not installed (apt-get install -y slurm-wlm munge)');
      this.skip();
    }
    const conf = sh('bash', [SLURM_LOCAL, 'env'], process.env).stdout.trim();
    env = { ...process.env, SLURM_CONF: conf.replace(/^SLURM_CONF=/, '') };
    if (sh('bash', [SLURM_LOCAL, 'status'], env).code !== 0) {
      const start = sh('bash', [SLURM_LOCAL, 'start'], env);
      assert.equal(start.code, 0, `scripts/slurm-local.sh start failed:\n${start.stdout}${start.stderr}`);
      startedHere = true;
    }
  });

  after(() => {
    if (startedHere) sh('bash', [SLURM_LOCAL, 'stop'], env);
  });

  it('an array of 4 spd-pendulum cells and the merge write the metrics.json of a local run, timing apart', async () => {
    const slurmRoot = tmpDir('metadyn-slurm-root-');
    const submitted = await runProcess(
      path.join(REPO_ROOT, 'node_modules', '.bin', 'tsx'),
      [path.join(REPO_ROOT, 'src', 'cli', 'reproduce.ts'), '--slurm', '--scale', 'smoke', '--methods', CELL_METHODS.join(','), 'spd-pendulum'],
      { env: { ...env, METADYN_RESULTS_ROOT: slurmRoot }, captureStdout: true },
    );
    assert.equal(submitted.code, 0, submitted.stdout);
    assert.match(submitted.stdout, /submitted array job \d+ \(4 task\(s\), logs .*cell-<index>\.out\)/);
    assert.match(submitted.stdout, /submitted merge job \d+ \(after every task succeeds/);
    const [runDir] = fs.readdirSync(path.join(slurmRoot, 'slurm')).map((d) => path.join(slurmRoot, 'slurm', d));
    const jobs = readJson(path.join(runDir, 'jobs.json')) as { arrayJobId: string; mergeJobId: string };
    assert.ok(fs.readFileSync(path.join(runDir, 'cells.sbatch'), 'utf8').includes('#SBATCH --array=0-3\n'));

    // the local run, while Slurm runs the cells
    const local = await withResultsRoot('metadyn-local-root-', async () => experimentById('spd-pendulum').run('smoke', {}));

    const cellStates = await waitForJob(jobs.arrayJobId, env, 150000);
    const mergeStates = await waitForJob(jobs.mergeJobId, env, 150000);
    const log = (name: string) => (fs.existsSync(path.join(runDir, 'logs', name)) ? fs.readFileSync(path.join(runDir, 'logs', name), 'utf8') : '(no log)');
    assert.deepEqual(cellStates, ['COMPLETED', 'COMPLETED', 'COMPLETED', 'COMPLETED'], [0, 1, 2, 3].map((i) => log(`cell-${i}.out`)).join('\n'));
    assert.deepEqual(mergeStates, ['COMPLETED'], log('merge.out'));
    [0, 1, 2, 3].forEach((i) => assert.match(log(`cell-${i}.out`), /\[cell\] spd-pendulum\/\S+\/smoke\/seed-2508 done .*meta-trained/));
    assert.match(log('merge.out'), /\[merge\] spd-pendulum \(smoke, seed 2508\): ran in/);

    const fromSlurm = readJson(path.join(slurmRoot, 'smoke', 'spd-pendulum', 'metrics.json'));
    const fromLocal = readJson(path.join(local, 'metrics.json'));
    const drop = new Set([...TIMING_KEYS, ...SESSION_KEYS]);
    assert.deepStrictEqual(withoutKeys(fromSlurm, drop), withoutKeys(fromLocal, drop));
    assert.notDeepStrictEqual(fromSlurm.provenance.startedAt, fromLocal.provenance.startedAt, 'two runs (the comparison is not of a file with itself)');
    const ran = (m: { training: { method: string; iterationsRun: number }[] }) => Object.fromEntries(m.training.map((t) => [t.method, t.iterationsRun > 0]));
    const locallyTrained = ran(fromLocal);
    const mergeTrained = ran(fromSlurm);
    for (const method of Object.keys(locallyTrained)) {
      const expected = method === 'Scratch' ? false : !CELL_METHODS.includes(method);
      assert.equal(mergeTrained[method], expected, `${method}: ${expected ? 'no cell, the merge trains it' : 'the merge reloads its cell'}`);
      assert.equal(locallyTrained[method], method !== 'Scratch');
    }
  });
});
