/**
 * `npm run setup`, step 2: the Debian packages `npm test` needs, installed by setup itself where it can, so that
 * `npm run setup && npm test` is all a newcomer types.
 *
 * This module is the one list of those packages (scripts/setup.sh runs this file; .ci/run relies on `npm run setup`
 * for apt), and the choice of what to do about the missing ones is the pure function `aptInstallPlan`, tested in
 * test/cli/setupPlan.test.ts: as root it installs them (a fresh Debian machine, CI); as a user with sudo at a terminal
 * it installs them through sudo, which asks for the password on the terminal; without a terminal (sudo could not
 * ask) or without sudo it prints the line to type: with `sudo` where sudo exists, else the plain line to run as root.
 * A package is installed when dpkg says `install ok installed`. A missing required package (Jupyter, Chromium, the
 * DejaVu fonts) stops setup with exit code 1; a missing optional one (PyTorch, Slurm) only costs the tests named in
 * OPTIONAL_APT_PACKAGES, which setup says before it goes on.
 */
import { spawnSync } from 'child_process';
import { runCli } from './commandLine';
import { runProcess } from './processes';

/** Jupyter for /usr/bin/python3 (the notebooks), Chromium and the DejaVu fonts (figure export, the report). */
export const REQUIRED_APT_PACKAGES: readonly string[] = [
  'jupyter-nbconvert',
  'python3-nbclient',
  'python3-ipykernel',
  'jupyter-notebook',
  'chromium',
  'fonts-dejavu-core',
];

/** The packages `npm test` uses but can do without, each with what is lost without it. */
export const OPTIONAL_APT_PACKAGES: ReadonlyMap<string, string> = new Map([
  ['python3-torch', "test/bench/parity.test.ts skips (the benchmark's PyTorch reference; npm run bench -- --compare times ours alone)"],
  ['libopenblas0-pthread', 'PyTorch falls back to the reference BLAS, about 10x slower'],
  ['slurm-wlm', 'test/cluster/slurmIntegration.test.ts skips (the single-node Slurm of scripts/slurm-local.sh)'],
  ['munge', 'the local Slurm of scripts/slurm-local.sh cannot start'],
  ['libopenblas-dev', "native/blas (OpenBLAS matrix products under the wasm backend) cannot build; wasm's own XNNPACK products run, about 3x slower"],
  ['g++', 'native/blas cannot build (node-gyp compiles it); XNNPACK products run'],
  ['make', 'native/blas cannot build (node-gyp runs make); XNNPACK products run'],
]);

export const APT_PACKAGES: readonly string[] = [...REQUIRED_APT_PACKAGES, ...OPTIONAL_APT_PACKAGES.keys()];

export type AptAction = 'none' | 'install-as-root' | 'install-with-sudo' | 'print';

export interface AptSituation {
  isRoot: boolean;
  /** sudo is on PATH */
  hasSudo: boolean;
  /** someone at a terminal can answer sudo's password prompt */
  stdinIsTTY: boolean;
  /** Debian package names (from APT_PACKAGES), in the order they are to be installed */
  missing: readonly string[];
}

export interface AptPlan {
  action: AptAction;
  /** shell lines, run in order by `sh -c` (stopping at the first failure) or printed joined by ` && ` */
  commands: string[];
}

/** What setup does about the missing packages, and the exact apt lines it runs or prints. */
export function aptInstallPlan(s: AptSituation): AptPlan {
  if (s.missing.length === 0) return { action: 'none', commands: [] };
  const action: AptAction = s.isRoot ? 'install-as-root' : s.hasSudo && s.stdinIsTTY ? 'install-with-sudo' : 'print';
  const sudo = !s.isRoot && s.hasSudo ? 'sudo ' : '';
  return {
    action,
    commands: [
      `${sudo}apt-get update`,
      `${sudo}DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${s.missing.join(' ')}`,
    ],
  };
}

/** The plan's commands as the one line a user types. */
export function formatCommands(commands: readonly string[]): string {
  return commands.join(' && ');
}

/** The packages still missing, split into the required ones (setup fails) and a note per optional one. */
export function missingConsequences(missing: readonly string[]): { required: string[]; optional: string[] } {
  return {
    required: missing.filter((p) => REQUIRED_APT_PACKAGES.includes(p)),
    optional: missing.flatMap((p) => {
      const note = OPTIONAL_APT_PACKAGES.get(p);
      return note === undefined ? [] : [`${p}: ${note}`];
    }),
  };
}

/** The packages of APT_PACKAGES that dpkg does not report installed (all of them where dpkg-query is missing). */
function missingPackages(): string[] {
  const r = spawnSync('dpkg-query', ['-W', '-f=${Package} ${Status}\n', ...APT_PACKAGES], { encoding: 'utf8' });
  const installed = new Set(
    (r.stdout ?? '')
      .split('\n')
      .map((line) => line.split(' '))
      .filter((fields) => fields[3] === 'installed')
      .map((fields) => fields[0]),
  );
  return APT_PACKAGES.filter((p) => !installed.has(p));
}

async function main(): Promise<number> {
  const missing = missingPackages();
  const hasSudo = spawnSync('sh', ['-c', 'command -v sudo'], { stdio: 'ignore' }).status === 0;
  const plan = aptInstallPlan({ isRoot: process.getuid?.() === 0, hasSudo, stdinIsTTY: process.stdin.isTTY === true, missing });
  if (plan.action === 'none') {
    console.log(`[setup] Debian packages installed: ${APT_PACKAGES.join(' ')}`);
    return 0;
  }
  console.log(`[setup] missing Debian packages: ${missing.join(' ')}`);
  let stillMissing = missing;
  if (plan.action === 'print') {
    const why = hasSudo ? 'no terminal for sudo to ask for the password' : 'not root, and there is no sudo';
    console.log(`[setup] cannot install them here (${why}); install them${hasSudo ? '' : ' as root'} with:`);
    console.log(formatCommands(plan.commands));
  } else {
    console.log(`[setup] installing them ${plan.action === 'install-with-sudo' ? 'through sudo' : 'as root'}`);
    for (const line of plan.commands) {
      console.log(`+ ${line}`);
      if ((await runProcess('sh', ['-c', line])).code !== 0) break;
    }
    stillMissing = missingPackages();
    if (stillMissing.length) console.log(`[setup] still missing after apt-get: ${stillMissing.join(' ')}`);
  }
  const { required, optional } = missingConsequences(stillMissing);
  for (const note of optional) console.log(`[setup] optional, not installed: ${note}`);
  if (required.length) {
    console.error(`[setup] required Debian packages missing: ${required.join(' ')}`);
    return 1;
  }
  return 0;
}

if (require.main === module) runCli(main);
