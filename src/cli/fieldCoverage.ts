/**
 * npm run field-coverage [--scale default|converged|paper|smoke]
 *
 * How much of the ε_field grid each Hamiltonian Paper B system's data show (src/experiments/spdFieldCoverage.ts):
 * simulates the test instances (no model) and writes results/field-coverage/{metrics.json,coverage.md,readme.md}.
 */
import { parseArgs } from 'util';
import { fieldCoverageStudy, systemCoverage } from '../experiments/spdFieldCoverage';
import { resolveSpdConfig } from '../experiments/paperB/config';
import { spdDuffing } from '../experiments/spdDuffing';
import { spdMassSpring } from '../experiments/spdMassSpring';
import { spdPendulum } from '../experiments/spdPendulum';
import { parseScale, runCli } from './commandLine';

async function main(): Promise<number> {
  const { values } = parseArgs({ args: process.argv.slice(2), options: { scale: { type: 'string', default: 'default' } } });
  const scale = parseScale(values.scale as string);
  const systems = [systemCoverage(spdMassSpring, scale), systemCoverage(spdPendulum, scale), systemCoverage(spdDuffing, scale)];
  const dir = fieldCoverageStudy(systems, scale, { paper: spdPendulum.info.paper, seed: resolveSpdConfig(spdPendulum, scale).seed });
  console.log(`[field-coverage] written to ${dir}`);
  return 0;
}

if (require.main === module) runCli(main);
