/**
 * danfojs for tslab: its package.json has only `exports`, which tslab's fixed `moduleResolution: node10` ignores, so
 * `import * as dfd from 'danfojs'` fails the notebook type-check. The types come from the deep path instead and the
 * runtime module through `require` (Node resolves the `exports` "node" condition). See toolchain.md §3.
 */
import type * as Danfo from 'danfojs/dist/danfojs-browser/src';
export const dfd: typeof Danfo = require('danfojs');
