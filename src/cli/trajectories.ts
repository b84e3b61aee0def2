/**
 * npm run trajectories -- <id> [--scale smoke|default|paper] [--set key=value ...] [--coordinates i,j,...]
 *
 * How far each adaptation trajectory of an iMODE family's instances goes (src/experiments/trajectoryExtent.ts): its
 * initial state and the largest |x_i| it reaches, one row per trajectory, printed as Markdown. It only simulates, so
 * `--set seed=…` shows another seed's instances in seconds, without its trained model. States of more than
 * MAX_DEFAULT_COORDINATES coordinates (the Slinky, reaction–diffusion) need `--coordinates`.
 */
import { ConfigError } from '../core/errors';
import { imodeFamilyById } from '../experiments/registry';
import { trajectoryExtentTable, trajectoryExtents } from '../experiments/trajectoryExtent';
import { tableToMarkdown } from '../viz/table';
import { parseStudyArgs, runCli } from './commandLine';

const USAGE = 'npm run trajectories -- <id> [--scale smoke|default|paper] [--set key=value ...] [--coordinates i,j,...]';
const MAX_DEFAULT_COORDINATES = 8;

/** '0,2' → [0, 2]; ConfigError for anything but a comma-separated list of non-negative integers. */
export function parseCoordinates(value: string): number[] {
  const parts = value.split(',').map((s) => s.trim());
  if (parts.some((s) => !/^\d+$/.test(s))) throw new ConfigError(`--coordinates takes non-negative integers separated by commas, got '${value}'`);
  return parts.map(Number);
}

async function main(): Promise<number> {
  const { scale, overrides, positionals, options } = parseStudyArgs(process.argv.slice(2), USAGE, { coordinates: undefined });
  if (positionals.length !== 1) throw new ConfigError(`give exactly one iMODE family id; usage: ${USAGE}`);
  const instances = imodeFamilyById(positionals[0]).instances(scale, overrides);
  const dim = instances[0].trajectories[0][0].length;
  if (options.coordinates === undefined && dim > MAX_DEFAULT_COORDINATES) {
    throw new ConfigError(`the state has ${dim} coordinates; choose at most a few with --coordinates i,j,... (0 to ${dim - 1})`);
  }
  const coordinates = options.coordinates === undefined ? undefined : parseCoordinates(options.coordinates);
  const chosen = coordinates ?? Array.from({ length: dim }, (_, i) => i);
  console.log(tableToMarkdown(trajectoryExtentTable(trajectoryExtents(instances, coordinates), chosen.map((i) => `x${i}`)), { digits: 3 }));
  return 0;
}

if (require.main === module) runCli(main);
