/**
 * The pendulum's figures, every one over the lengths sorted ascending: phase portraits of the evaluation window after
 * adaptation, the adapted η (or its first principal coordinate) against L, the evaluation MSE per length, and the
 * learned potential V(θ, η) against the truth (g/L)(1 − cos θ).
 */
import * as tf from '@tensorflow/tfjs';
import type { InstanceResult } from '../../meta/imodeEvaluation';
import type { ImodeTrained } from '../../meta/imodeTraining';
import { type ConservativeForceSpec, potentialAndForce, potentialMlpSpec } from '../../nn/conservativeForce';
import { mlpFromTensors } from '../../nn/mlp';
import { PENDULUM_DEFAULT_G } from '../../systems/pendulum';
import { lineFigure, phasePortraitGrid } from '../../viz/lineFigures';
import { scatterFigure } from '../../viz/scatterAndBarFigures';
import { OKABE_ITO } from '../../viz/palette';
import type { PlotlyFigure } from '../../viz/plotly';
import type { ImodePendulumConfig } from '../imodePendulum';
import { evalErrorFigure } from './figures';

/** Lengths sorted ascending, the order of every table and figure. */
export function byLength(lengths: readonly InstanceResult[]): InstanceResult[] {
  return [...lengths].sort((a, b) => a.params[0] - b.params[0]);
}

/**
 * One number per length that summarises the adapted η: |η| under the authors' abs transform with a 1-D η, η₁ for a
 * 1-D η as is, and its first principal coordinate (over all lengths, `projected`) for a larger η.
 */
export function etaSummary(cfg: ImodePendulumConfig, sorted: readonly InstanceResult[], projected: readonly (readonly number[])[]): { values: number[]; label: string } {
  if (cfg.etaDim > 1) return { values: projected.map((c) => c[0]), label: 'PC1 of η' };
  return cfg.etaTransform === 'abs' ? { values: sorted.map((r) => Math.abs(r.eta[0])), label: '|η|' } : { values: sorted.map((r) => r.eta[0]), label: 'η' };
}

export function phasePortraitFigure(cfg: ImodePendulumConfig, lengths: readonly InstanceResult[]): PlotlyFigure {
  const xy = (rows: number[][]) => ({ x: rows.map((s) => s[0]), y: rows.map((s) => s[1]) });
  return phasePortraitGrid({
    title: `Phase portraits over a ${cfg.evalSteps}-step evaluation window after adaptation`,
    xTitle: 'θ (rad)',
    yTitle: 'ω (rad/s)',
    columns: 4,
    panels: byLength(lengths).map((r) => ({
      title: `L = ${r.params[0]} (${r.split})`,
      truth: xy(r.rollout.truth),
      predicted: [{ name: 'iMODE', ...xy(r.rollout.predicted) }, ...(r.rollout.scratch ? [{ name: 'Scratch', ...xy(r.rollout.scratch) }] : [])],
    })),
  });
}

export function etaFigure(lengths: readonly InstanceResult[], summary: { values: readonly number[]; label: string }): PlotlyFigure {
  const sorted = byLength(lengths);
  return scatterFigure({
    title: 'Adapted η against the pendulum length',
    xTitle: 'L (m)',
    yTitle: summary.label,
    points: { x: sorted.map((r) => r.params[0]), y: summary.values, text: sorted.map((r) => r.split) },
  });
}

export function lengthEvalErrorFigure(cfg: ImodePendulumConfig, lengths: readonly InstanceResult[]): PlotlyFigure {
  const sorted = byLength(lengths);
  return evalErrorFigure(sorted, sorted.map((r) => r.params[0]), `Evaluation MSE per length (${cfg.evalSteps}-step rollouts)`, 'L (m)');
}

/**
 * The learned potential V(θ, η) for each adapted η against the truth (g/L)(1 − cos θ), both shifted to V(0) = 0:
 * the network is free to add a constant, and only −∂V/∂θ is observed.
 */
export function potentialFigure(spec: ConservativeForceSpec, trained: ImodeTrained, lengths: readonly InstanceResult[], points = 121): PlotlyFigure {
  const net = mlpFromTensors(potentialMlpSpec(spec), trained.params);
  const theta = Array.from({ length: points }, (_, i) => -Math.PI / 2 + (Math.PI * i) / (points - 1));
  const centre = Math.floor(points / 2);
  const shown = byLength(lengths).filter((_, i, all) => i % Math.max(1, Math.ceil(all.length / 5)) === 0);
  // One colour per length, shared by its learned (dashed) and true (solid) curve.
  const series = shown.flatMap((r, i) => {
    const learned = tf.tidy(() => {
      const eta = tf.tile(tf.tensor2d([r.eta]), [points, 1]) as tf.Tensor2D;
      return Array.from(potentialAndForce(spec, net, tf.tensor2d(theta.map((v) => [v])), eta).energy.dataSync());
    });
    const color = OKABE_ITO[1 + (i % (OKABE_ITO.length - 1))];
    return [
      { name: `L = ${r.params[0]} learned`, x: theta, y: learned.map((v) => v - learned[centre]), dash: 'dash' as const, color },
      { name: `L = ${r.params[0]} true`, x: theta, y: theta.map((t) => (PENDULUM_DEFAULT_G / r.params[0]) * (1 - Math.cos(t))), color },
    ];
  });
  return lineFigure({ title: 'Learned potential V(θ, η) against the true (g/L)(1 − cos θ)', xTitle: 'θ (rad)', yTitle: 'V (shifted to V(0) = 0)', series });
}

