import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { REPO_ROOT } from '../../src/cli/commandLine';
import {
  APT_PACKAGES,
  aptInstallPlan,
  formatCommands,
  missingConsequences,
} from '../../src/cli/setupPlan';

const INSTALL = 'DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium python3-torch';
const missing = ['chromium', 'python3-torch'];

describe('cli/setupPlan: what npm run setup does about missing Debian packages', () => {
  it('as root installs them without sudo, even where sudo exists and there is no terminal (CI)', () => {
    const expected = { action: 'install-as-root', commands: ['apt-get update', INSTALL] };
    assert.deepEqual(aptInstallPlan({ isRoot: true, hasSudo: true, stdinIsTTY: false, missing }), expected);
    assert.deepEqual(aptInstallPlan({ isRoot: true, hasSudo: false, stdinIsTTY: true, missing }), expected);
  });

  it('as a user with sudo at a terminal installs them through sudo', () => {
    assert.deepEqual(aptInstallPlan({ isRoot: false, hasSudo: true, stdinIsTTY: true, missing }), {
      action: 'install-with-sudo',
      commands: ['sudo apt-get update', `sudo ${INSTALL}`],
    });
  });

  it('as a user with sudo but no terminal prints the sudo line (sudo could not ask for the password)', () => {
    const plan = aptInstallPlan({ isRoot: false, hasSudo: true, stdinIsTTY: false, missing });
    assert.deepEqual(plan, { action: 'print', commands: ['sudo apt-get update', `sudo ${INSTALL}`] });
    assert.equal(formatCommands(plan.commands), `sudo apt-get update && sudo ${INSTALL}`);
  });

  it('as a user without sudo prints the plain line to run as root', () => {
    const plan = aptInstallPlan({ isRoot: false, hasSudo: false, stdinIsTTY: true, missing });
    assert.deepEqual(plan, { action: 'print', commands: ['apt-get update', INSTALL] });
    assert.equal(formatCommands(plan.commands), `apt-get update && ${INSTALL}`);
  });

  it('does nothing when nothing is missing, whoever runs it', () => {
    for (const isRoot of [true, false]) {
      assert.deepEqual(aptInstallPlan({ isRoot, hasSudo: true, stdinIsTTY: true, missing: [] }), { action: 'none', commands: [] });
    }
  });

  it('lists every package npm test needs: Jupyter, Chromium, the fonts, PyTorch with OpenBLAS and Slurm, each once', () => {
    const needed = ['python3-nbclient', 'python3-ipykernel', 'jupyter-nbconvert', 'chromium', 'fonts-dejavu-core', 'python3-torch', 'libopenblas0-pthread', 'slurm-wlm', 'munge'];
    needed.forEach((p) => assert.ok(APT_PACKAGES.includes(p), p));
    assert.equal(new Set(APT_PACKAGES).size, APT_PACKAGES.length);
  });

  it('fails setup only for a missing required package, and names what each missing optional one costs', () => {
    const onlyOptional = missingConsequences(['python3-torch', 'slurm-wlm']);
    assert.deepEqual(onlyOptional.required, []);
    assert.equal(onlyOptional.optional.length, 2);
    assert.match(onlyOptional.optional[0], /^python3-torch: test\/bench\/parity\.test\.ts skips/);
    assert.match(onlyOptional.optional[1], /^slurm-wlm: test\/cluster\/slurmIntegration\.test\.ts skips/);
    assert.deepEqual(missingConsequences(['munge', 'chromium', 'fonts-dejavu-core']).required, ['chromium', 'fonts-dejavu-core']);
    assert.deepEqual(missingConsequences([]), { required: [], optional: [] });
  });

  it("the README's set-up text shows the exact line setup prints for a user with sudo", () => {
    const line = formatCommands(aptInstallPlan({ isRoot: false, hasSudo: true, stdinIsTTY: false, missing: APT_PACKAGES }).commands);
    assert.ok(fs.readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8').includes(`\`${line}\``), line);
  });
});
