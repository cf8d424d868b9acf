/**
 * The supervisor figures case's centre (figures.ts): imported only when the case runs, so the
 * engine, security and HTTP modules it loads are not in the process while the cases before it
 * run (with them loaded, bpmn-engine ran the in-memory fan-out ≈ 12% faster: a heap-size effect
 * that moved every ratio measured before this case).
 */
import { readFileSync } from 'node:fs';
import { CASE_FIGURES } from '../../engine/src/applications/case-figures.js';
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
import { BUNDLE, CASES, DAY } from './figures.js';

/**
 * The file with CASES sealed cases, and the service that reports on it. `acceptedOverDays`: the
 * copies are accepted over that many days before the one made (1: all with it, the same day).
 */
export async function fillCentre(file: string, acceptedOverDays = 300) {
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
  // Its figures row as the Centre wrote it: a copy differs from it only in id and acceptance time.
  const figures = (await stored.get<Doc & { acceptedAt: number }>(CASE_FIGURES, created.id))!;
  for (let i = 0; i < CASES; i += 500) {
    const writes: DocWrite[] = [];
    for (let j = i; j < Math.min(CASES, i + 500); j++) {
      const id = `case-${String(j).padStart(6, '0')}`;
      const acceptedAt = model.acceptedAt - (j % acceptedOverDays) * DAY;
      const copy: typeof model = { ...model, id, number: `N${j}`, acceptedAt };
      writes.push({ collection: APPLICATIONS, doc: copy });
      writes.push({ collection: CASE_FIGURES, doc: { ...figures, id, acceptedAt } as Doc });
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
  const acceptedAt = model.acceptedAt;
  return { stored, docs, engine, service, supervisor: users.get('supervisor1')!, month, acceptedAt };
}
