/**
 * On a document store without atomic batches (MongoDB without a replica set) the figures row is
 * written after the case: a failure there fails no command, is logged, and the supervisor's report
 * still counts the case (built from the case until a start writes its row).
 */
import { samples } from '../../../forms/src/testing/samples.js';
import type { Actor } from '../domain/actor.js';
import { MemoryDocStore, type DocStore } from '../domain/docs.js';
import { createEngine } from '../index.js';
import { analyst, clerk, example, externalLicence, HOLDER, T0 } from '../testing/centre-fixtures.js';
import { AggregateService, weekdaysOnly } from './aggregates.js';
import { CASE_FIGURES } from './case-figures.js';
import { Centre } from './centre.js';
import { workingTimeLimits } from './working-time.js';

/** A memory store without batches (as MongoDB without a replica set) whose figures rows cannot be written. */
function withoutFiguresRows(inner: MemoryDocStore): DocStore {
  return {
    put: (collection, doc, rev) => inner.put(collection, doc, rev),
    replace: async (collection, doc) => {
      if (collection === CASE_FIGURES) throw new Error('figures store unavailable');
      return inner.replace(collection, doc);
    },
    get: (collection, id) => inner.get(collection, id),
    find: (collection, query) => inner.find(collection, query),
    count: (collection, where) => inner.count(collection, where),
  };
}

test('a figures row that cannot be written fails no acceptance; the report still counts the case', async () => {
  const docs = withoutFiguresRows(new MemoryDocStore());
  const warnings: Record<string, unknown>[] = [];
  const centre = new Centre({
    engine: createEngine({ clock: () => T0 }),
    docs,
    timeLimits: workingTimeLimits(),
    clock: () => T0,
    logger: { warn: (obj) => void warnings.push(obj) },
  });
  await centre.deployBundle(analyst, example('business-startup'));
  await externalLicence(centre, 'resident-id-card', 'RID-1');
  const { situation, ...data } = samples['business-startup']!;
  const draft = await centre.createApplication(clerk, {
    bundleCode: 'business-startup',
    answers: situation!,
    data,
    applicant: { kind: 'person', name: '张三', idNumber: HOLDER, userId: 'zhangsan' },
  });
  await centre.submit(clerk, draft.id);
  const accepted = await centre.accept(clerk, draft.id, {
    materials: [
      { id: 'identityProof', status: 'eLicence', licenceId: 'resident-id-card:RID-1' },
      { id: 'premisesProof', status: 'provided' },
    ],
  });
  expect(accepted.status).toBe('in-progress');
  expect(warnings[0]).toMatchObject({ caseId: draft.id, step: 'figures row' });
  expect(await docs.count(CASE_FIGURES)).toBe(0);
  const supervisor: Actor = { userId: 'sup', name: '监察', role: 'supervisor' };
  const service = new AggregateService({ docs, incidents: async () => [], isWorking: weekdaysOnly });
  const report = await service.report(supervisor, {});
  expect([report.applications, report.accepted]).toEqual([1, 1]);
});
