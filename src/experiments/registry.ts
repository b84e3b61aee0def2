/**
 * Every experiment that `npm run experiment` (and the tests) can run without Jupyter, by id. The id is also the
 * notebook's name after its number (notebooks/01-imode-pendulum.ipynb) and the results folder.
 */
import type { Scale } from '../core/config';
import { ConfigError } from '../core/errors';
import { runImodeOnPaperB } from './crossPaper/imodeOnPaperB';
import { type ExperimentInfo } from './experiment';
import { type ImodeFamily, type ImodeFamilyConfig } from './imode/family';
import { mapImodeFamilies } from './imode/families';
import { type FamilyInstance, resolveFamilyConfig, runImodeFamily, simulateFamily } from './imodeFamilyExperiment';
import { runFamilyBasins } from './imodeBasins';
import { runFamilyDimensionStudy } from './imodeDimensionStudy';
import { imodePendulumConfig, imodePendulumInfo, runImodePendulum } from './imodePendulum';
import { type ConvergencePlan, convergenceStudy } from './paperBConvergence';
import { paperBDno } from './paperBDno';
import { paperBDuffing } from './paperBDuffing';
import { resolvePaperBConfig } from './paperB/config';
import type { PaperBSystem } from './paperB/system';
import { runPaperBHamiltonian } from './paperBHamiltonian';
import { paperBMassSpring } from './paperBMassSpring';
import { runLatentGaugeStudy } from './paperBLatentGauge';
import { paperBPendulum } from './paperBPendulum';
import { paperBTgc } from './paperBTgc';

export interface RegisteredExperiment {
  info: ExperimentInfo;
  /** the validated config a run at `scale` with `overrides` would use (its hash is the results' `configHash`) */
  config(scale: Scale, overrides: Readonly<Record<string, unknown>>): Readonly<Record<string, unknown>>;
  /** runs every step at `scale` with `overrides` and writes the results; returns the results directory */
  run(scale: Scale, overrides: Readonly<Record<string, unknown>>): Promise<string>;
}

/** An iMODE system family (every iMODE experiment but the pendulum): an experiment with its identifiability check. */
export interface RegisteredFamily extends RegisteredExperiment {
  /** the identifiability check of its latent code (./imodeBasins.ts) */
  basins(scale: Scale, overrides: Readonly<Record<string, unknown>>): ReturnType<typeof runFamilyBasins>;
  /** the intrinsic dimension of its η over `extra` more adapted instances (./imodeDimensionStudy.ts) */
  dimensionStudy(scale: Scale, extra: number, overrides: Readonly<Record<string, unknown>>): ReturnType<typeof runFamilyDimensionStudy>;
  /** its instances' simulated trajectories under the config of `scale` and `overrides` (no training) */
  instances(scale: Scale, overrides: Readonly<Record<string, unknown>>): FamilyInstance[];
}

const registeredFamily = <C extends ImodeFamilyConfig>(family: ImodeFamily<C>): RegisteredFamily => ({
  info: family.info,
  config: (scale, overrides) => resolveFamilyConfig(family, scale, overrides),
  run: async (scale, overrides) => (await runImodeFamily(family, scale, overrides)).dir,
  basins: (scale, overrides) => runFamilyBasins(family, scale, overrides),
  dimensionStudy: (scale, extra, overrides) => runFamilyDimensionStudy(family, scale, extra, overrides),
  instances: (scale, overrides) => simulateFamily(family, resolveFamilyConfig(family, scale, overrides)),
});

export const IMODE_FAMILIES: readonly RegisteredFamily[] = mapImodeFamilies(registeredFamily);

/** The iMODE family of an id; ConfigError naming the families otherwise. */
export function imodeFamilyById(id: string): RegisteredFamily {
  const found = IMODE_FAMILIES.find((f) => f.info.id === id);
  if (!found) throw new ConfigError(`'${id}' is not an iMODE system family; known: ${IMODE_FAMILIES.map((f) => f.info.id).join(', ')}`);
  return found;
}

/** A Paper B system's studies beyond its experiment run (they drive its protocol step by step). */
export interface RegisteredPaperBStudies {
  info: ExperimentInfo;
  /** the convergence study of ./paperBConvergence.ts; returns the summary's directory */
  convergence(plan: ConvergencePlan, options: { summaryOnly: boolean }): Promise<string>;
  /** the Neural Gauge on its latent codes, ./paperBLatentGauge.ts */
  latentGauge(scale: Scale, overrides: Readonly<Record<string, unknown>>): ReturnType<typeof runLatentGaugeStudy>;
  /** iMODE as a method on it, ./crossPaper/imodeOnPaperB.ts */
  imodeOnPaperB(scale: Scale, overrides: Readonly<Record<string, unknown>>): ReturnType<typeof runImodeOnPaperB>;
}

const paperBStudies = <P>(sys: PaperBSystem<P>): RegisteredPaperBStudies => ({
  info: sys.info,
  convergence: (plan, options) => convergenceStudy(sys, plan, options),
  latentGauge: (scale, overrides) => runLatentGaugeStudy(sys, scale, overrides),
  imodeOnPaperB: (scale, overrides) => runImodeOnPaperB(sys, scale, overrides),
});

export const PAPER_B_STUDIES: readonly RegisteredPaperBStudies[] = [paperBStudies(paperBMassSpring), paperBStudies(paperBPendulum), paperBStudies(paperBDuffing), paperBStudies(paperBDno), paperBStudies(paperBTgc)];

/** The studies of a Paper B system by id; ConfigError naming the systems otherwise. */
export function paperBStudiesById(id: string): RegisteredPaperBStudies {
  const found = PAPER_B_STUDIES.find((s) => s.info.id === id);
  if (!found) throw new ConfigError(`'${id}' is not a Paper B system; known: ${PAPER_B_STUDIES.map((s) => s.info.id).join(', ')}`);
  return found;
}

const paperBExperiment = <P>(sys: PaperBSystem<P>): RegisteredExperiment => ({
  info: sys.info,
  config: (scale, overrides) => resolvePaperBConfig(sys, scale, overrides),
  run: async (scale, overrides) => (await runPaperBHamiltonian(sys, scale, overrides)).dir,
});

export const EXPERIMENTS: readonly RegisteredExperiment[] = [
  { info: imodePendulumInfo, config: imodePendulumConfig, run: async (scale, overrides) => (await runImodePendulum(scale, overrides)).dir },
  ...IMODE_FAMILIES,
  paperBExperiment(paperBMassSpring),
  paperBExperiment(paperBPendulum),
  paperBExperiment(paperBDuffing),
  paperBExperiment(paperBDno),
  paperBExperiment(paperBTgc),
];

export function experimentById(id: string): RegisteredExperiment {
  const found = EXPERIMENTS.find((e) => e.info.id === id);
  if (!found) throw new ConfigError(`unknown experiment '${id}'; known: ${EXPERIMENTS.map((e) => e.info.id).join(', ')}`);
  return found;
}
