/**
 * Where the ε_field grid lies with respect to the data (a diagnostic of the gap to Paper B; no model involved).
 *
 * ε_field = ‖F̂ − F‖ / ‖F‖ over a fixed grid of (q, p) (spec §2.1 [INF]). An instance's trajectories conserve its
 * energy, so all they show of the field is the sublevel set {x : H(x) ≤ E_max}, E_max the largest true energy along
 * the instance's trajectories (support and held-out alike). For each test instance this measures
 *   outside    the share of grid points with H(x) > E_max, where no trajectory of the instance goes, and
 *   floor      √(Σ_{H(x) > E_max} |F(x)|² / Σ_x |F(x)|²): the ε_field of a model exact on the data's energy range and
 *              zero beyond it, i.e. how much of ε_field is decided by extrapolation.
 * A large floor says that a small ε_field needs a model that extrapolates the field well past its data, which a
 * tanh network does not do from one trajectory, whatever its training budget.
 */
import { type Scale, configHash } from '../core/config';
import { type Provenance, startProvenance, writeResults } from '../core/results';
import { relativeFieldError, vectorFieldGrid } from '../analysis/metrics';
import { type PaperBInstance, insideDataEnergy } from '../analysis/paperBEvaluation';
import { type Table, formatNumber, tableToMarkdown } from '../viz/table';
import { experimentResultsDir } from './experiment';
import { type PaperBConfig, resolvePaperBConfig } from './paperB/config';
import type { PaperBSystem } from './paperB/system';
import { simulatePaperB } from './paperBHamiltonian';

export interface InstanceCoverage {
  instance: string;
  energyMax: number;
  outsideShare: number;
  floor: number;
}

/** One test instance's coverage of the ε_field grid (module comment). */
export function instanceCoverage<P>(sys: PaperBSystem<P>, cfg: PaperBConfig, instance: PaperBInstance): InstanceCoverage {
  const mu = Object.fromEntries(sys.system.paramNames.map((n, j) => [n, instance.params[j]])) as P;
  const { points } = vectorFieldGrid(sys.fieldGrid.box, cfg.gridSize, sys.fieldGrid.fixed);
  const { energyMax, inside } = insideDataEnergy(sys, instance, points);
  const truth = points.map((x) => sys.system.vectorField(x, mu));
  // the field of a model exact inside {H ≤ E_max} and zero beyond it
  const exactInside = truth.map((f, i) => (inside[i] ? f : new Float64Array(f.length)));
  const outside = inside.filter((v) => !v).length;
  return { instance: instance.label, energyMax, outsideShare: outside / points.length, floor: relativeFieldError(exactInside, truth) };
}

export interface SystemCoverage {
  experiment: string;
  configHash: string;
  instances: InstanceCoverage[];
  meanOutsideShare: number;
  meanFloor: number;
}

const mean = (v: readonly number[]) => v.reduce((s, x) => s + x, 0) / v.length;

/** Every test instance of `scale`'s config of one system. */
export function systemCoverage<P>(sys: PaperBSystem<P>, scale: Scale): SystemCoverage {
  const cfg = resolvePaperBConfig(sys, scale);
  const instances = simulatePaperB(sys, cfg)
    .filter((i) => i.split === 'test')
    .map((i) => instanceCoverage(sys, cfg, i));
  return { experiment: sys.info.id, configHash: configHash(cfg), instances, meanOutsideShare: mean(instances.map((i) => i.outsideShare)), meanFloor: mean(instances.map((i) => i.floor)) };
}

export function coverageTable(systems: readonly SystemCoverage[]): Table {
  return {
    columns: ['experiment', 'grid points beyond the data (mean over test instances)', 'ε_field of exact-on-data, zero beyond (mean)', 'range over instances'],
    rows: systems.map((s) => [
      s.experiment,
      `${formatNumber(100 * s.meanOutsideShare, 3)} %`,
      formatNumber(s.meanFloor, 3),
      `${formatNumber(Math.min(...s.instances.map((i) => i.floor)), 3)} – ${formatNumber(Math.max(...s.instances.map((i) => i.floor)), 3)}`,
    ]),
  };
}

/** results/field-coverage/ (results/<scale>/field-coverage/ off default): metrics, coverage.md and the README snippet. */
export function writeFieldCoverage(systems: readonly SystemCoverage[], scale: Scale, provenance: Provenance): string {
  const dir = experimentResultsDir('field-coverage', scale);
  const table = tableToMarkdown(coverageTable(systems));
  writeResults(dir, {
    metrics: { systems: systems.map((s) => ({ ...s })) },
    provenance,
    tables: {
      'coverage.md': table,
      'readme.md': [
        `How much of ε_field's grid the data show (\`${scale}\` instances, seed ${provenance.seed}; regenerate with \`npm run field-coverage\`): an instance's trajectories keep its energy, so they show the field only where H ≤ their largest energy. The second column is the ε_field of a model exact there and zero beyond: the part of ε_field that only extrapolation can remove.`,
        '',
        table.trimEnd(),
      ].join('\n'),
    },
  });
  return dir;
}

/** The coverages of several systems at `scale` (their configs' seed, `seed`), written with provenance. */
export function fieldCoverageStudy(systems: readonly SystemCoverage[], scale: Scale, run: { paper: string; seed: number }): string {
  const config = { systems: systems.map((s) => ({ experiment: s.experiment, configHash: s.configHash })) };
  const prov = startProvenance({ experiment: 'field-coverage', paper: run.paper, section: 'ε_field grid against the data (diagnostic)', scale, config, seed: run.seed });
  return writeFieldCoverage(systems, scale, prov.finish());
}
