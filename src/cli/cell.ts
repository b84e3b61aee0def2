/**
 * npm run cell -- <cell-id> [--set key=value ...]     one cell, e.g. spd-pendulum/svd/default/seed-2508
 * npm run cell -- --manifest FILE --index N          cell N of a manifest (a Slurm array task, a local pool's child)
 * npm run cell -- --manifest FILE --merge            every experiment's full run on the manifest's finished cells
 *
 * A cell is one method's meta-training of a Paper B experiment, or a whole iMODE experiment (./cells.ts). Killed and
 * run again, a cell resumes from its checkpoints; a finished one only reloads them. `npm run reproduce -- --cells`
 * and `-- --slurm` write the manifests. Exit code 1 when a merge failed, 2 on a usage error.
 */
import { parseArgs } from 'util';
import { ConfigError } from '../core/errors';
import { listCells, manifestCell, mergeAll, mergeGroups, parseCellId, readManifest, runCell } from './cells';
import { parseOverrides, runCli } from './commandLine';

const USAGE = 'npm run cell -- <experiment>[/<method>]/<scale>/seed-<seed> [--set key=value ...] | --manifest FILE (--index N | --merge)';

async function main(): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: process.argv.slice(2),
      options: { manifest: { type: 'string' }, index: { type: 'string' }, merge: { type: 'boolean', default: false }, set: { type: 'string', multiple: true, default: [] } },
      allowPositionals: true,
      strict: true,
    });
  } catch (e) {
    throw new ConfigError(`${(e as Error).message}; usage: ${USAGE}`);
  }
  const { values, positionals } = parsed;
  if (values.manifest !== undefined) {
    if (positionals.length > 0 || (values.set as string[]).length > 0) throw new ConfigError(`a manifest names its cells and their settings; usage: ${USAGE}`);
    const manifest = readManifest(values.manifest);
    if (values.merge) {
      if (values.index !== undefined) throw new ConfigError(`--index and --merge exclude each other; usage: ${USAGE}`);
      return (await mergeAll(mergeGroups(manifest.cells))) ? 0 : 1;
    }
    if (values.index === undefined || !/^\d+$/.test(values.index)) throw new ConfigError(`--manifest needs --index N (a non-negative integer) or --merge; usage: ${USAGE}`);
    return report(await runCell(manifestCell(manifest, Number(values.index), values.manifest)));
  }
  if (positionals.length !== 1 || values.merge || values.index !== undefined) throw new ConfigError(`give exactly one cell id; usage: ${USAGE}`);
  const { experiment, method, scale, seed } = parseCellId(positionals[0]);
  const [cell] = listCells({ ids: [experiment], scale, seeds: [seed], methods: method ? [method] : [], overrides: parseOverrides(values.set as string[]) });
  return report(await runCell(cell));
}

function report(outcome: Awaited<ReturnType<typeof runCell>>): number {
  const did = outcome.training
    ? outcome.training.iterationsRun > 0
      ? `meta-trained ${outcome.training.iterationsRun} outer iteration(s)`
      : 'its checkpoint was finished already'
    : `-> ${outcome.resultsDir}`;
  console.log(`[cell] ${outcome.id} done in ${outcome.seconds.toFixed(1)} s: ${did}`);
  return 0;
}

if (require.main === module) runCli(main);
