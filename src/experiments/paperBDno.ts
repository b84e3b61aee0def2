/**
 * Paper B, the damped nonlinear oscillator (DNO, spec §2.3): x = (q, p, S), E = p²/2 − k cos q + S, S(x) = S,
 * q̇ = p, ṗ = −k sin q − γ p, Ṡ = γ p²; μ = (k, γ) ∈ [0.5, 2] × [0.05, 0.5], q0 ~ U[−2, 2], p0 ~ U[−1, 1], S0 = 0
 * (../systems/dampedOscillator.ts); ε_field on (q, p) ∈ [−2, 2]² at S = 1 (the paper's figure slice). The
 * protocol is ./paperBHamiltonian.ts with the GENERIC network of ./paperBGeneric.ts.
 *
 * Scales: rank r = 3 for MR, SVD and MR-v1 (the paper's DNO row is SVD(3), spec §2.3, §9.4); paper scale samples
 * the spec's t ∈ [0, 10) with 100 points at dt 0.1 [INF]; default and smoke keep the Hamiltonian benchmark's 30
 * points at dt 0.1 (t ∈ [0, 3)), so that default fits minutes.
 */
import { type DampedOscillatorParams, dampedOscillator, energy, fieldGrid, genericParts } from '../systems/dampedOscillator';
import { genericScales, genericStructure } from './paperBGeneric';
import { type PaperBSystem, withParamBox } from './paperB/system';

export const paperBDno: PaperBSystem<DampedOscillatorParams> = {
  info: {
    id: 'spd-dno',
    paper: 'Meta-learning Structure-Preserving Dynamics (arXiv 2508.11205)',
    section: 'damped nonlinear oscillator, GENERIC (spec §2.2, §2.3, §3.1, §6, §7.1)',
    title: 'DNO (GENERIC): latent modulations (Shift, FW, RO, MR, SVD, MR-v1) against Scratch, MAML, ANIL and Reptile',
  },
  system: withParamBox(dampedOscillator),
  hamiltonian: energy,
  fieldGrid,
  paramLabels: ['k (stiffness)', 'γ (damping)'],
  scales: genericScales({ all: { rank: 3 }, paper: { trajectoryPoints: 100 } }),
  structure: genericStructure({ stateDim: 3, entropyVariables: 1 }, genericParts),
};
