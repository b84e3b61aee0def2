/**
 * npm run basins -- <id> [--scale smoke|default|paper|converged] [--set key=value ...]
 *
 * Identifiability check of an iMODE family's latent code (src/experiments/imodeBasins.ts): every instance adapted
 * from η0 and from each training instance's η under the model the Neural Gauge reads. Reuses the experiment's
 * checkpoints of the same config (trains them when there are none) and writes results/basins/<id>/basins.{json,md}.
 */
import { ConfigError } from '../core/errors';
import { BETTER_BASIN_PERCENT, BETTER_BASIN_RATIO } from '../experiments/imodeBasins';
import { imodeFamilyById } from '../experiments/registry';
import { parseStudyArgs, runCli } from './commandLine';

const USAGE = 'npm run basins -- <id> [--scale smoke|default|paper|converged] [--set key=value ...]';

async function main(): Promise<number> {
  const { scale, overrides, positionals } = parseStudyArgs(process.argv.slice(2), USAGE);
  if (positionals.length !== 1) throw new ConfigError(`give exactly one iMODE family id; usage: ${USAGE}`);
  const family = imodeFamilyById(positionals[0]);
  const { dir, entries, model } = await family.basins(scale, overrides);
  const better = entries.filter((e) => e.lossRatio < BETTER_BASIN_RATIO);
  console.log(`${model}: ${better.length} of ${entries.length} instances fit at least ${BETTER_BASIN_PERCENT} % better from another start than from η0; written to ${dir}`);
  return 0;
}

if (require.main === module) runCli(main);
