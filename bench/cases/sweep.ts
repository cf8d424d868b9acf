/**
 * The Centre's sweep (time-limit colours, overdue 容缺 materials), run by the server every tick
 * (5 s): one tick over CASES open business-startup cases when none has anything due, sealed on a
 * SQLite file as the server stores them (the supervisor figures' fixture, all accepted the same
 * day). A tick reads the cases due by now from the `sweepAt` index (sweep-due.ts); every ten minutes
 * a full pass reads every open case's clock fields, as every tick did before. No reference engine
 * and no target in the issue: measured so that a centre's background work does not grow with its
 * open cases.
 */
import path from 'node:path';
import { timeEach, type CaseDef } from '../lib/harness.js';
import { tempDir } from '../lib/temp-dir.js';
import type { fillCentre } from './figures-centre.js';
import { BUNDLE, CASES } from './figures.js';

function sweepCase(id: string, title: string, fullSweepEveryMs: number): CaseDef {
  const tmp = tempDir(id);
  let filled: Awaited<ReturnType<typeof fillCentre>> | undefined;
  let sweep: (() => Promise<{ recoloured: number; terminated: number }>) | undefined;
  return {
    id,
    title,
    kind: 'latency',
    unit: 'ms',
    notes:
      `${CASES.toLocaleString('en')} open ${BUNDLE} cases (sealed, on a SQLite file, copied from one accepted ` +
      'through the Centre, all accepted the same day: none has anything due). Each operation is one ' +
      `Centre.sweep just after acceptance; ${fullSweepEveryMs === 0 ? 'every sweep a full pass (every open case read)' : 'after one full pass, each sweep reads what is due by its sweepAt index'}.`,
    setup: async () => {
      const [{ fillCentre }, { Centre }, { workingTimeLimits }] = await Promise.all([
        import('./figures-centre.js'),
        import('../../engine/src/applications/centre.js'),
        import('../../engine/src/applications/working-time.js'),
      ]);
      filled = await fillCentre(path.join(tmp.dir, 'docs.db'), 1);
      const now = filled.acceptedAt + 1;
      const centre = new Centre({
        engine: filled.engine,
        docs: filled.docs,
        timeLimits: workingTimeLimits(),
        clock: () => now,
        fullSweepEveryMs,
      });
      sweep = () => centre.sweep(now);
      await sweep(); // the first sweep of a process is a full pass
    },
    teardown: () => {
      filled?.stored.close();
      tmp.remove();
    },
    ours: {
      label: `Centre.sweep over SqliteDocStore (sealed)`,
      count: 1,
      warmup: 1,
      run: (count) =>
        timeEach(count, async () => {
          const swept = await sweep!();
          if (swept.recoloured + swept.terminated !== 0) throw new Error(`${id}: the sweep found work`);
        }),
    },
  };
}

export function sweepCases(): CaseDef[] {
  return [
    sweepCase(
      'sweep-full',
      `Sweep tick, full pass over ${CASES.toLocaleString('en')} open cases (every 10 min)`,
      0,
    ),
    sweepCase(
      'sweep-due',
      `Sweep tick, cases due by now (${CASES.toLocaleString('en')} open, none due)`,
      10 * 60_000,
    ),
  ];
}
