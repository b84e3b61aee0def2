/**
 * The five simulated iMODE system families in one list (`mapImodeFamilies`: the experiments' registry, ../registry.ts,
 * and the explorer take them from here), and each as the explorer's page needs it: the family's field in the loss's
 * units (./family.ts scaledModel) from a config read back from JSON. This module imports only the families and tfjs,
 * so that the explorer's browser bundle (../../explorer/explorerPage.ts) can hold it.
 */
import { imodeBistable } from '../imodeBistable';
import { imodeDoublePendulum } from '../imodeDoublePendulum';
import { imodeReactionDiffusion } from '../imodeReactionDiffusion';
import { imodeSlinky } from '../imodeSlinky';
import { imodeVanDerPol } from '../imodeVanDerPol';
import type { ImodeModelFactory } from '../../meta/imodeEvaluation';
import { type ImodeFamily, type ImodeFamilyConfig, scaledModel } from './family';

/** A family with its config type erased: what code that holds the config as JSON can ask of it. */
export interface FamilyFieldMaker {
  id: string;
  /** the family's field in the loss's units, x̃ = x ⊘ s (the config must be the one its weights were trained with) */
  scaledModel(config: Readonly<Record<string, unknown>>): ImodeModelFactory;
  /** s, per state component */
  stateScale(config: Readonly<Record<string, unknown>>): readonly number[];
}

/** `f` applied to each family, each with its own config type (bistable, double pendulum, Van der Pol, Slinky, reaction–diffusion). */
export function mapImodeFamilies<T>(f: <C extends ImodeFamilyConfig>(family: ImodeFamily<C>) => T): T[] {
  return [f(imodeBistable), f(imodeDoublePendulum), f(imodeVanDerPol), f(imodeSlinky), f(imodeReactionDiffusion)];
}

// The config was resolved and validated as C when it was written (../../explorer/familyModelExport.ts).
const fieldMaker = <C extends ImodeFamilyConfig>(family: ImodeFamily<C>): FamilyFieldMaker => ({
  id: family.info.id,
  scaledModel: (config) => scaledModel(family, config as C),
  stateScale: (config) => family.stateScale(config as C),
});

export const IMODE_FAMILY_FIELDS: Readonly<Record<string, FamilyFieldMaker>> = Object.fromEntries(mapImodeFamilies(fieldMaker).map((f) => [f.id, f]));
