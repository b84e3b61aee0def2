/**
 * npm run experiment -- <id> [--scale smoke|default|paper|converged] [--set key=value ...]
 *
 * Runs one experiment's steps directly (no Jupyter), e.g. for long runs in a terminal, for resuming an interrupted
 * run (checkpoints are keyed by the config), and for the kill-and-resume test. `--set` overrides one config field;
 * its value is read as JSON when it parses (numbers, booleans, arrays) and as a string otherwise.
 */
import { ConfigError } from '../core/errors';
import { experimentById } from '../experiments/registry';
import { parseStudyArgs, runCli } from './commandLine';

const USAGE = 'npm run experiment -- <id> [--scale smoke|default|paper|converged] [--set key=value ...]';

async function main(): Promise<number> {
  const { scale, overrides, positionals } = parseStudyArgs(process.argv.slice(2), USAGE);
  if (positionals.length !== 1) throw new ConfigError(`give exactly one experiment id; usage: ${USAGE}`);
  const started = Date.now();
  const dir = await experimentById(positionals[0]).run(scale, overrides);
  console.log(`[experiment] ${positionals[0]} (${scale}) done in ${((Date.now() - started) / 1000).toFixed(1)} s -> ${dir}`);
  return 0;
}

if (require.main === module) runCli(main);
