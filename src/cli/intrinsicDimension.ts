/**
 * npm run intrinsic-dimension -- <id> [--extra N] [--scale smoke|default|paper|converged] [--set key=value ...]
 *
 * The intrinsic dimension of an iMODE family's adapted η over a dense sample (src/experiments/imodeDimensionStudy.ts):
 * the experiment's trained model (its checkpoint; trained anew when there is none) adapted to N (default 80) more
 * instances drawn uniformly in the training box; PCA, TwoNN and Levina–Bickel on the experiment's η and on all of
 * them, into results/intrinsic-dimension/<id>/dimension.{json,md}.
 */
import { ConfigError } from '../core/errors';
import { imodeFamilyById } from '../experiments/registry';
import { formatNumber } from '../viz/table';
import { parseStudyArgs, runCli } from './commandLine';

const USAGE = 'npm run intrinsic-dimension -- <id> [--extra N] [--scale smoke|default|paper|converged] [--set key=value ...]';
const DEFAULT_EXTRA = 80;

async function main(): Promise<number> {
  const { scale, overrides, positionals, options } = parseStudyArgs(process.argv.slice(2), USAGE, { extra: String(DEFAULT_EXTRA) });
  if (positionals.length !== 1) throw new ConfigError(`give exactly one iMODE family id; usage: ${USAGE}`);
  const family = imodeFamilyById(positionals[0]);
  const { dir, study } = await family.dimensionStudy(scale, Number(options.extra), overrides);
  const e = study.dense;
  console.log(`${study.experiment}: over ${e.points} adapted η, PCA ${e.pca99}, TwoNN ${formatNumber(e.twoNN.dimension, 3)} ± ${formatNumber(e.twoNN.standardError, 2)} (physical ${study.physicalDimension}); written to ${dir}`);
  return 0;
}

if (require.main === module) runCli(main);
