/**
 * npm run convergence -- <spd-id> [--methods SVD,RO,FW,MAML] [--widths 32,100] [--milestones 200,1000,2000,5000,20000]
 *                        [--horizon 20000] [--scale default|paper|smoke] [--set key=value ...] [--summary-only]
 *
 * The convergence study of one Paper B system (src/experiments/paperBConvergence.ts): trains each (method, width) to
 * each milestone, scoring it there, and writes results/convergence/<id>/ (points per run, tables, figures).
 * Resumable: points already written with the same config (the horizon included) are skipped and training goes on from
 * the checkpoint, so an interrupted study is continued by the same command, and milestones up to the horizon can be
 * added later. Two processes on disjoint methods or widths may share the
 * folder (one core each); each writes the summary of every run file present when it finishes. `--summary-only`
 * rewrites the summary from the run files without training. The figures are exported as PNG, SVG and PDF beside their
 * specs (headless Chromium, as `npm run figures`).
 */
import { parseArgs } from 'util';
import { ConfigError } from '../core/errors';
import { type PaperBMethodName } from '../meta/paperBMethods';
import { DEFAULT_CONVERGENCE_PLAN, type ConvergencePlan } from '../experiments/paperBConvergence';
import { paperBStudiesById } from '../experiments/registry';
import { openFigureExporter } from '../viz/export';
import { figureSpecFiles, readFigureSpec } from './figures';
import { parseOverrides, parseScale, runCli } from './commandLine';

const USAGE = 'npm run convergence -- <spd-id> [--methods SVD,RO,FW,MAML] [--widths 32,100] [--milestones 200,1000,2000,5000,20000] [--horizon 20000] [--scale default] [--set key=value ...] [--summary-only]';

/** '200,1000' → [200, 1000]; ConfigError naming the flag on anything but integers. */
export function parseIntegerList(flag: string, text: string): number[] {
  const parts = text.split(',').map((s) => s.trim());
  const values = parts.map(Number);
  if (parts.some((s) => s === '') || values.some((v) => !Number.isInteger(v))) throw new ConfigError(`${flag} takes comma-separated integers, got '${text}'`);
  return values;
}

/** The plan the command line asks for (validated by runConvergence). */
export function parseConvergenceArgs(argv: readonly string[]): { id: string; plan: ConvergencePlan; summaryOnly: boolean } {
  const { values, positionals } = parseArgs({
    args: [...argv],
    options: {
      methods: { type: 'string' },
      widths: { type: 'string' },
      milestones: { type: 'string' },
      horizon: { type: 'string' },
      scale: { type: 'string', default: DEFAULT_CONVERGENCE_PLAN.scale },
      set: { type: 'string', multiple: true, default: [] },
      'summary-only': { type: 'boolean', default: false },
    },
    allowPositionals: true,
  });
  if (positionals.length !== 1) throw new ConfigError(`give exactly one Paper B experiment id; usage: ${USAGE}`);
  const d = DEFAULT_CONVERGENCE_PLAN;
  const plan: ConvergencePlan = {
    methods: values.methods === undefined ? d.methods : (values.methods.split(',').map((m) => m.trim()) as PaperBMethodName[]),
    widths: values.widths === undefined ? d.widths : parseIntegerList('--widths', values.widths),
    milestones: values.milestones === undefined ? d.milestones : parseIntegerList('--milestones', values.milestones),
    horizon: values.horizon === undefined ? d.horizon : parseIntegerList('--horizon', values.horizon)[0],
    scale: parseScale(values.scale as string),
    overrides: parseOverrides(values.set as string[]),
  };
  return { id: positionals[0], plan, summaryOnly: values['summary-only'] as boolean };
}

async function main(): Promise<number> {
  const { id, plan, summaryOnly } = parseConvergenceArgs(process.argv.slice(2));
  const dir = await paperBStudiesById(id).convergence(plan, { summaryOnly });
  console.log(`[convergence] ${id}: summary of every run in ${dir}`);
  // the curves as PNG / SVG / PDF beside their specs, as `npm run figures` exports an experiment's
  const exporter = await openFigureExporter();
  try {
    for (const spec of figureSpecFiles(dir)) await exporter.export(readFigureSpec(spec.file), spec.name, { dir });
  } finally {
    await exporter.close();
  }
  return 0;
}

if (require.main === module) runCli(main);
