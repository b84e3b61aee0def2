import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { repoPath } from '../../src/core/paths';

/** The relative link targets of a markdown page: [text](target) and ![alt](target), without #anchors; web links skipped. */
function relativeLinkTargets(markdown: string): string[] {
  const targets = [...markdown.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)].map((m) => m[1]);
  return targets.filter((t) => !/^[a-z]+:/i.test(t) && !t.startsWith('#')).map((t) => decodeURI(t.split('#')[0]));
}

/** The committed front pages a newcomer follows: README.md, environment.md and docs/*.md. */
function pages(): string[] {
  const docs = fs.readdirSync(repoPath('docs')).filter((f) => f.endsWith('.md')).map((f) => path.join('docs', f));
  return ['README.md', 'environment.md', ...docs];
}

describe('docs: links a reader follows', () => {
  it('extracts relative targets and skips web links and anchors', () => {
    const md = 'see [a](docs/a.md#x), ![f](../results/f.png "t"), [w](https://x.org/y), [here](#top) and [s](my%20file.md)';
    assert.deepEqual(relativeLinkTargets(md), ['docs/a.md', '../results/f.png', 'my file.md']);
  });

  it('every relative link of README.md, environment.md and docs/*.md names a committed file or folder', () => {
    const broken: string[] = [];
    for (const page of pages()) {
      const text = fs.readFileSync(repoPath(page), 'utf8');
      for (const target of relativeLinkTargets(text)) {
        if (!fs.existsSync(path.resolve(path.dirname(repoPath(page)), target))) broken.push(`${page} → ${target}`);
      }
    }
    assert.deepEqual(broken, [], `broken links:\n${broken.join('\n')}`);
  });
});
