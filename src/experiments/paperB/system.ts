/**
 * What a Paper B system file (../paperBMassSpring.ts, …, ../paperBTgc.ts) supplies to the protocol of ../paperBHamiltonian.ts:
 * its float64 simulator with the parameter box its instances are drawn from, its true energy, its field grid, its
 * scales, and the network family every method learns (`PaperBStructure`): the HNN ẋ = J∇H̃ (`HNN_STRUCTURE`, the
 * default) or the GENERIC network ẋ = L∇Ẽ + M̃∇S̃ (../paperBGeneric.ts), with how its energy is checked.
 */
import { ConfigError } from '../../core/errors';
import type { ScaleTable } from '../../core/config';
import type { EvaluatedStructure, EvaluatedSystem, PaperBEvaluation, PaperBInstance } from '../../analysis/paperBEvaluation';
import type { FieldModels } from '../../meta/paperBMethod';
import type { GenericLayout } from '../../models/generic';
import { hnnLatentModel, hnnPlainModel } from '../../models/hnn';
import type { System } from '../../systems/types';
import type { ExperimentInfo } from '../experiment';
import type { PaperBConfig } from './config';
import type { PaperBSummary } from './report';

/**
 * The network family every method of an experiment learns, and how its energy is checked. `drift`: the energy drift
 * max_t |E(x̂(t)) − E(x̂(0))| along the learned rollouts of the TRUE energy ('true', the Hamiltonian benchmark) or
 * the model's OWN energy ('model', the GENERIC first law).
 */
export interface PaperBStructure extends FieldModels, EvaluatedStructure {
  /** names in figures: the true and learned energy symbols, the noun, and the level-set figure's key */
  energyNames: { truth: string; learned: string; noun: string; figure: string };
  /** a GENERIC structure's state layout (which coordinates are entropies); absent for the HNN */
  layout?: GenericLayout;
  /** adds the structure's own metrics, tables and figures to the summary (end of `summarisePaperB`) */
  summarise?(summary: PaperBSummary, context: { instances: readonly PaperBInstance[]; evaluation: PaperBEvaluation }): PaperBSummary;
}

export const HNN_STRUCTURE: PaperBStructure = {
  latentModel: hnnLatentModel,
  plainModel: hnnPlainModel,
  drift: 'true',
  energyNames: { truth: 'H', learned: 'H̃', noun: 'Hamiltonian', figure: 'hamiltonian-level-sets' },
};

/** What a system file supplies. */
export interface PaperBSystem<P> extends EvaluatedSystem<P> {
  info: ExperimentInfo;
  /** float64 simulator with its parameter box and initial-state sampler */
  system: System<P> & { readonly paramBox: Readonly<Record<keyof P & string, readonly [number, number]>> };
  /** axis label of each physical parameter, in system.paramNames order */
  paramLabels: readonly string[];
  scales: ScaleTable<PaperBConfig>;
  /** the learned network family; default HNN_STRUCTURE */
  structure?: PaperBStructure;
}

export function structureOf<P>(sys: PaperBSystem<P>): PaperBStructure {
  return sys.structure ?? HNN_STRUCTURE;
}

/** The system itself, checked to carry the parameter box its instances are drawn from. */
export function withParamBox<P>(system: System<P>): PaperBSystem<P>['system'] {
  const box = system.paramBox;
  if (!box) throw new ConfigError(`system ${system.name} has no paramBox to draw instances from`);
  return { ...system, paramBox: box };
}
