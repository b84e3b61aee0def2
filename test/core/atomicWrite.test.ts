import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { writeFileAtomic, writeJsonAtomic } from '../../src/core/atomicWrite';

describe('core/atomicWrite', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'atomic-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('creates parent directories, replaces the file and leaves no temporary file', () => {
    const file = path.join(dir, 'a', 'b', 'x.txt');
    writeFileAtomic(file, 'one');
    writeFileAtomic(file, 'two');
    assert.equal(fs.readFileSync(file, 'utf8'), 'two');
    assert.deepEqual(fs.readdirSync(path.dirname(file)), ['x.txt']);
  });

  it('writes JSON with a trailing newline and refuses non-finite numbers without touching the old file', () => {
    const file = path.join(dir, 'm.json');
    writeJsonAtomic(file, { a: 1 });
    assert.equal(fs.readFileSync(file, 'utf8'), '{\n  "a": 1\n}\n');
    assert.throws(() => writeJsonAtomic(file, { a: NaN }), /non-finite number at key 'a'/);
    assert.deepEqual(JSON.parse(fs.readFileSync(file, 'utf8')), { a: 1 });
    assert.deepEqual(fs.readdirSync(dir), ['m.json']);
  });
});
