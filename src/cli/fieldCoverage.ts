/**
 * npm run field-coverage [--scale default|converged|paper|smoke]
 *
 * How much of the ε_field grid each Hamiltonian Paper B system's data show (src/experiments/paperBFieldCoverage.ts):
 * simulates the test instances (no model) and writes results/field-coverage/{metrics.json,coverage.md,readme.md}.
 */
import { parseArgs } from 'util';
import { fieldCoverageStudy, systemCoverage } from '../experiments/paperBFieldCoverage';
import { resolvePaperBConfig } from '../experiments/paperB/config';
import { paperBDuffing } from '../experiments/paperBDuffing';
import { paperBMassSpring } from '../experiments/paperBMassSpring';
import { paperBPendulum } from '../experiments/paperBPendulum';
import { parseScale, runCli } from './commandLine';

async function main(): Promise<number> {
  const { values } = parseArgs({ args: process.argv.slice(2), options: { scale: { type: 'string', default: 'default' } } });
  const scale = parseScale(values.scale as string);
  const systems = [systemCoverage(paperBMassSpring, scale), systemCoverage(paperBPendulum, scale), systemCoverage(paperBDuffing, scale)];
  const dir = fieldCoverageStudy(systems, scale, { paper: paperBPendulum.info.paper, seed: resolvePaperBConfig(paperBPendulum, scale).seed });
  console.log(`[field-coverage] written to ${dir}`);
  return 0;
}

if (require.main === module) runCli(main);
