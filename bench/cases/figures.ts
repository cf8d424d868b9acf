/**
 * Supervisor figures (效能监察: the work of GET /api/metrics/aggregates, in process). One
 * business-startup case is made, submitted and accepted through the Centre, as the server stores
 * it (sensitive fields sealed, on a SQLite file); it is then copied into CASES cases with their
 * department task rows and figures rows (case-figures.ts, as the Centre writes them with each save),
 * accepted over the last 300 days. No reference engine has such figures and the issue sets no
 * target: measured so that a growing centre's reports stay quick.
 */
import path from 'node:path';
import type { AggregateFilter } from '../../engine/src/applications/aggregates.js';
import { timeEach, type CaseDef } from '../lib/harness.js';
import { tempDir } from '../lib/temp-dir.js';
import type { fillCentre } from './figures-centre.js';

export const CASES = 10_000;
export const BUNDLE = 'business-startup';
export const DAY = 86_400_000;

function figuresCase(id: string, title: string, filterOf: (month: string) => AggregateFilter): CaseDef {
  const tmp = tempDir(id);
  let centre: Awaited<ReturnType<typeof fillCentre>> | undefined;
  return {
    id,
    title,
    kind: 'latency',
    unit: 'ms',
    notes:
      `${CASES.toLocaleString('en')} ${BUNDLE} cases (each ≈ 6.6 kB sealed, 7 task rows, one figures row) on a ` +
      'SQLite file, copied from one made and accepted through the Centre (untimed); each operation is one ' +
      "report of the city supervisor (AggregateService.report, as the server's route: it reads the figures " +
      'rows). No target in the issue.',
    setup: async () => {
      const { fillCentre } = await import('./figures-centre.js');
      centre = await fillCentre(path.join(tmp.dir, 'docs.db'));
    },
    teardown: () => {
      centre?.stored.close();
      tmp.remove();
    },
    ours: {
      label: 'AggregateService.report over SqliteDocStore (sealed)',
      count: 1,
      warmup: 1,
      run: (count) =>
        timeEach(count, async () => {
          const report = await centre!.service.report(centre!.supervisor, filterOf(centre!.month));
          if (report.applications === 0) throw new Error(`${id}: the report counted no case`);
        }),
    },
  };
}

export function figuresCases(): CaseDef[] {
  return [
    figuresCase(
      'figures-all',
      `Supervisor figures over every case (${CASES.toLocaleString('en')})`,
      () => ({}),
    ),
    figuresCase('figures-month', 'Supervisor figures of one month (≈ 1/10 of the cases)', (month) => ({
      from: month,
      to: new Date(Date.parse(month) + 30 * DAY).toISOString().slice(0, 10),
    })),
  ];
}
