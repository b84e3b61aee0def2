/**
 * The cross-paper benchmark's figure: on the iMODE authors' pendulum, each method's evaluation MSE against the
 * length L (log scale), iMODE's own run beside Paper B's modulations adapted on the same windows, the lengths
 * meta-trained on named in the title. The table (./table.ts) gives one number per method, the median over the unseen lengths; this
 * shows where along L a method gains or loses it (interpolation inside the training lengths, extrapolation beyond).
 */
import type { Scale } from '../../core/config';
import { DataError } from '../../core/errors';
import { lineFigure } from '../../viz/lineFigures';
import { type PlotlyFigure, saveFigure } from '../../viz/plotly';
import { experimentResultsDir } from '../experiment';
import { CROSS_PAPER_STUDY } from './studyIds';
import { type LengthScore, imodePendulumPerLength } from './table';

/** One line per method over L ascending; the lengths the first method marks 'train' (the same for every method) in the title. */
export function perLengthFigure(methods: readonly { method: string; lengths: readonly LengthScore[] }[], title: string): PlotlyFigure {
  if (methods.length === 0) throw new DataError('perLengthFigure needs at least one method with per-length results');
  const series = methods.map(({ method, lengths }) => {
    const sorted = [...lengths].sort((a, b) => a.L - b.L);
    return { name: method, x: sorted.map((l) => l.L), y: sorted.map((l) => l.evalMse), markers: true };
  });
  const training = methods[0].lengths.filter((l) => l.split === 'train').map((l) => l.L).sort((a, b) => a - b);
  const trainedOn = training.length ? ` (meta-trained on L = ${training.join(', ')})` : '';
  return lineFigure({ title: `${title}${trainedOn}`, xTitle: 'L (m)', yTitle: 'evaluation MSE', series, logY: true });
}

/**
 * The figure from the runs under `results` at `scale`, saved as results/[<scale>/]cross-paper/figures/per-length.json,
 * where `npm run figures -- cross-paper` exports it like every experiment's figures.
 */
export function writePerLengthFigure(results: string, scale: Scale): PlotlyFigure {
  const fig = perLengthFigure(imodePendulumPerLength(results, scale), 'Evaluation MSE per pendulum length');
  saveFigure(experimentResultsDir(CROSS_PAPER_STUDY, scale, { METADYN_RESULTS_ROOT: results }), 'per-length', fig);
  return fig;
}
