/**
 * npm run latent-gauge -- <id> [--scale smoke|default|paper|converged] [--set key=value ...]
 *
 * iMODE's Neural Gauge on a Paper B system's latent codes (src/experiments/paperBLatentGauge.ts): every modulation
 * method's auto-decoded z of the test instances mapped to their physical parameters by a gauge fitted on the training
 * instances (the experiment's checkpoints; trained anew when there are none), into
 * results/[<scale>/]latent-gauge/<id>/gauge.{json,md} with the best method's parity figures.
 */
import { ConfigError } from '../core/errors';
import { formatGaugeError } from '../experiments/paperBLatentGauge';
import { paperBStudiesById } from '../experiments/registry';
import { parseStudyArgs, runCli } from './commandLine';

const USAGE = 'npm run latent-gauge -- <id> [--scale smoke|default|paper|converged] [--set key=value ...]';

async function main(): Promise<number> {
  const { scale, overrides, positionals } = parseStudyArgs(process.argv.slice(2), USAGE);
  if (positionals.length !== 1) throw new ConfigError(`give exactly one Paper B system id; usage: ${USAGE}`);
  const { dir, study } = await paperBStudiesById(positionals[0]).latentGauge(scale, overrides);
  study.methods.forEach((m) => console.log(`${m.method.padEnd(6)} ${m.source.padEnd(20)} median ${formatGaugeError(m.medianError)}, max ${formatGaugeError(m.maxError)}`));
  console.log(`written to ${dir}`);
  return 0;
}

if (require.main === module) runCli(main);
