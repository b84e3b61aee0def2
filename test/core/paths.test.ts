import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ConfigError } from '../../src/core/errors';
import { checkpointsDir, dataDir, repoPath, repoRoot, resultsDir } from '../../src/core/paths';

const ROOT = path.resolve(__dirname, '..', '..');

describe('core/paths', () => {
  it('finds the repo root from the root and from a subdirectory (notebooks run with cwd notebooks/)', () => {
    assert.equal(repoRoot(ROOT), ROOT);
    assert.equal(repoRoot(path.join(ROOT, 'src', 'core')), ROOT);
  });

  it('skips package.json files of other projects and fails clearly outside the checkout', () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'paths-'));
    fs.writeFileSync(path.join(tmp, 'package.json'), JSON.stringify({ name: 'something-else' }));
    assert.throws(() => repoRoot(tmp), /no package\.json with name "metadyn-ts"/);
    fs.rmSync(tmp, { recursive: true });
  });

  it('joins results, checkpoints and data under the root', () => {
    assert.equal(resultsDir('01-imode-pendulum'), path.join(ROOT, 'results', '01-imode-pendulum'));
    assert.equal(checkpointsDir('x'), path.join(ROOT, 'results', 'x', 'checkpoints'));
    assert.equal(dataDir('imode-pendulum', '1.0.txt'), path.join(ROOT, 'data', 'imode-pendulum', '1.0.txt'));
    assert.equal(repoPath('data'), path.join(ROOT, 'data'));
    assert.equal(repoPath('/abs/x'), '/abs/x');
  });

  it('refuses experiment ids that would leave results/', () => {
    for (const bad of ['../x', 'a/b', '', '.hidden']) assert.throws(() => resultsDir(bad), ConfigError);
  });
});
