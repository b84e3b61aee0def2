/**
 * npm run experiment -- <id> [--scale smoke|default|paper|converged] [--set key=value ...]
 *
 * Runs one experiment's steps directly (no Jupyter), e.g. for long runs in a terminal, for resuming an interrupted
 * run (checkpoints are keyed by the config), and for the kill-and-resume test. `--set` overrides one config field;
 * its value is read as JSON when it parses (numbers, booleans, arrays) and as a string otherwise.
 */
import { parseArgs } from 'util';
import { ConfigError } from '../core/errors';
import { experimentById } from '../experiments/registry';
import { parseScale, runCli } from './commandLine';

const USAGE = 'npm run experiment -- <id> [--scale smoke|default|paper|converged] [--set key=value ...]';

export function parseOverrides(pairs: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new ConfigError(`--set takes key=value, got '${pair}'`);
    const raw = pair.slice(eq + 1);
    let value: unknown = raw;
    try {
      value = JSON.parse(raw);
    } catch {
      // not JSON: keep the string (paths, enum names)
    }
    out[pair.slice(0, eq)] = value;
  }
  return out;
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    args: process.argv.slice(2),
    options: { scale: { type: 'string', default: 'default' }, set: { type: 'string', multiple: true, default: [] } },
    allowPositionals: true,
  });
  if (positionals.length !== 1) throw new ConfigError(`give exactly one experiment id; usage: ${USAGE}`);
  const scale = parseScale(values.scale as string);
  const started = Date.now();
  const dir = await experimentById(positionals[0]).run(scale, parseOverrides(values.set as string[]));
  console.log(`[experiment] ${positionals[0]} (${scale}) done in ${((Date.now() - started) / 1000).toFixed(1)} s -> ${dir}`);
  return 0;
}

if (require.main === module) runCli(main);
