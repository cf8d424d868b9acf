/**
 * Supervisor figures (效能监察: the work of GET /api/metrics/aggregates, in process). One
 * business-startup case is made, submitted and accepted through the Centre, as the server stores
 * it (sensitive fields sealed, on a SQLite file); it is then copied into CASES cases with their
 * department task rows, accepted over the last 300 days. No reference engine has such figures and
 * the issue sets no target: measured so that a growing centre's reports stay quick.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { AggregateFilter } from '../../engine/src/applications/aggregates.js';
import { APPLICATIONS, Centre, DEPARTMENT_TASKS } from '../../engine/src/applications/centre.js';
import { workingTimeLimits } from '../../engine/src/applications/working-time.js';
import type { Doc, DocWrite } from '../../engine/src/domain/docs.js';
import { SqliteDocStore } from '../../engine/src/domain/docs-sqlite.js';
import { DOC_INDEXES } from '../../engine/src/domain/open-docs.js';
import { UserDirectory } from '../../engine/src/http/auth/users.js';
import { aggregateService } from '../../engine/src/http/routers/aggregates.js';
import { createEngine } from '../../engine/src/index.js';
import { generateDataKey, keyring } from '../../engine/src/security/data-key.js';
import { EncryptingDocStore, defaultEncryptionPolicy } from '../../engine/src/security/encryption.js';
import { samples } from '../../forms/src/testing/samples.js';
import type { CaseDef } from '../lib/harness.js';
import { tempDir } from '../lib/temp-dir.js';

const CASES = 10_000;
const BUNDLE = 'business-startup';
const DAY = 86_400_000;

/** The file with CASES sealed cases, and the service that reports on it. */
async function fillCentre(file: string) {
  const stored = new SqliteDocStore(file, DOC_INDEXES);
  const docs = new EncryptingDocStore(
    stored,
    keyring(generateDataKey()),
    defaultEncryptionPolicy(),
    DOC_INDEXES,
  );
  const engine = createEngine();
  const centre = new Centre({ engine, docs, timeLimits: workingTimeLimits() });
  const users = UserDirectory.fromFile();
  const examples = new URL(`../../examples/${BUNDLE}/`, import.meta.url);
  await centre.deployBundle(users.get('analyst1')!, {
    bundle: JSON.parse(readFileSync(new URL('bundle.json', examples), 'utf8')),
    xml: readFileSync(new URL('process.bpmn', examples), 'utf8'),
  });
  const clerk = users.get('clerk1')!;
  const { situation, ...data } = samples[BUNDLE]!;
  const created = await centre.createApplication(clerk, {
    bundleCode: BUNDLE,
    answers: situation ?? {},
    data,
    applicant: { kind: 'person', name: '张三', idNumber: '440402199003071232', phone: '13800138000' },
  });
  await centre.submit(clerk, created.id);
  const materials = [
    { id: 'identityProof', status: 'provided' as const },
    { id: 'premisesProof', status: 'provided' as const },
  ];
  await centre.accept(clerk, created.id, { materials });
  const model = (await stored.get<Doc & { acceptedAt: number; number: string }>(APPLICATIONS, created.id))!;
  const rows = await stored.find<Doc & { applicationId: string }>(DEPARTMENT_TASKS, {
    where: { applicationId: created.id },
  });
  for (let i = 0; i < CASES; i += 500) {
    const writes: DocWrite[] = [];
    for (let j = i; j < Math.min(CASES, i + 500); j++) {
      const id = `case-${String(j).padStart(6, '0')}`;
      const acceptedAt = model.acceptedAt - (j % 300) * DAY;
      const copy: typeof model = { ...model, id, number: `N${j}`, acceptedAt };
      writes.push({ collection: APPLICATIONS, doc: copy });
      for (const row of rows)
        writes.push({
          collection: DEPARTMENT_TASKS,
          doc: { ...row, id: `${id}:${row.id}`, applicationId: id } as Doc,
        });
    }
    await stored.writeAll(writes);
  }
  const service = aggregateService({ sealedDocs: stored, engine, clock: Date.now });
  const month = new Date(model.acceptedAt - 30 * DAY).toISOString().slice(0, 10);
  return { stored, service, supervisor: users.get('supervisor1')!, month };
}

function figuresCase(id: string, title: string, filterOf: (month: string) => AggregateFilter): CaseDef {
  const tmp = tempDir(id);
  let centre: Awaited<ReturnType<typeof fillCentre>> | undefined;
  return {
    id,
    title,
    kind: 'latency',
    unit: 'ms',
    notes:
      `${CASES.toLocaleString('en')} ${BUNDLE} cases (each ≈ 6.6 kB sealed, 7 task rows) on a SQLite file, ` +
      'copied from one made and accepted through the Centre (untimed); each operation is one report of the ' +
      "city supervisor (AggregateService.report, as the server's route). No target in the issue.",
    setup: async () => {
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
      async run(count) {
        const samples: number[] = [];
        for (let i = 0; i < count; i++) {
          const started = performance.now();
          const report = await centre!.service.report(centre!.supervisor, filterOf(centre!.month));
          samples.push(performance.now() - started);
          if (report.applications === 0) throw new Error(`${id}: the report counted no case`);
        }
        return { ops: count, samples };
      },
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
