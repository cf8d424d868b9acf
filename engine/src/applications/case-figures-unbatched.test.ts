/**
 * On a document store without atomic batches (MongoDB without a replica set) the figures row is
 * written after the case: a failure there fails no command, is logged, and the supervisor's report
 * still counts the case (built from the case until the sweep's next full pass, or a start, writes
 * its row).
 */
import { samples } from '../../../forms/src/testing/samples.js';
import type { Actor } from '../domain/actor.js';
import { MemoryDocStore, type Doc, type DocStore } from '../domain/docs.js';
import { createEngine } from '../index.js';
import { analyst, clerk, dept, example, externalLicence, HOLDER, T0 } from '../testing/centre-fixtures.js';
import { approvalOf } from '../testing/item-outputs.js';
import { AggregateService, weekdaysOnly } from './aggregates.js';
import { CASE_FIGURES, currentCaseFigures, workingDaysOf } from './case-figures.js';
import { APPLICATIONS, Centre } from './centre.js';

const REG_OUTPUTS = approvalOf('enterprise-registration');
import { workingTimeLimits } from './working-time.js';

/**
 * A memory store without batches (as MongoDB without a replica set) whose figures rows cannot be
 * written while `failing.now`.
 */
function withoutFiguresRows(inner: MemoryDocStore, failing = { now: true }): DocStore {
  return {
    put: (collection, doc, rev) => inner.put(collection, doc, rev),
    replace: async (collection, doc) => {
      if (collection === CASE_FIGURES && failing.now) throw new Error('figures store unavailable');
      return inner.replace(collection, doc);
    },
    get: (collection, id) => inner.get(collection, id),
    find: (collection, query) => inner.find(collection, query),
    count: (collection, where) => inner.count(collection, where),
  };
}

async function acceptedCase(docs: DocStore, warnings: Record<string, unknown>[] = [], clock = () => T0) {
  const centre = new Centre({
    engine: createEngine({ clock }),
    docs,
    timeLimits: workingTimeLimits(),
    clock,
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
  return { centre, accepted };
}

test('a figures row that cannot be written fails no acceptance; the report still counts the case', async () => {
  const docs = withoutFiguresRows(new MemoryDocStore());
  const warnings: Record<string, unknown>[] = [];
  const { accepted } = await acceptedCase(docs, warnings);
  expect(accepted.status).toBe('in-progress');
  expect(warnings[0]).toMatchObject({ caseId: accepted.id, step: 'figures row' });
  expect(await docs.count(CASE_FIGURES)).toBe(0);
  const supervisor: Actor = { userId: 'sup', name: '监察', role: 'supervisor' };
  const service = new AggregateService({ docs, incidents: async () => [], isWorking: weekdaysOnly });
  const report = await service.report(supervisor, {});
  expect([report.applications, report.accepted]).toEqual([1, 1]);
});

test('a figures row left behind its case is made again by the sweep’s full pass, not only at the next start', async () => {
  const failing = { now: false };
  const inner = new MemoryDocStore();
  const docs = withoutFiguresRows(inner, failing);
  let now = T0;
  const { centre, accepted } = await acceptedCase(docs, [], () => now);
  expect(await inner.get(CASE_FIGURES, accepted.id)).toMatchObject({ rev: accepted.rev });
  await centre.sweep(now); // the first sweep is a full pass
  // The next save's row is lost (a failed write, or an earlier save's write landing after it).
  failing.now = true;
  await centre.approve(dept('market-regulation'), `${accepted.id}:enterprise-registration`, REG_OUTPUTS);
  failing.now = false;
  const saved = (await inner.get<Doc>(APPLICATIONS, accepted.id))!;
  expect((await inner.get<Doc>(CASE_FIGURES, accepted.id))!.rev).toBeLessThan(saved.rev);
  // A tick between full passes reads only what is due: the row stays.
  now += 60_000;
  await centre.sweep(now);
  now += 60_000;
  await centre.sweep(now);
  expect((await inner.get<Doc>(CASE_FIGURES, accepted.id))!.rev).toBeLessThan(saved.rev);
  // The full pass (every ten minutes) makes it again.
  now += 11 * 60_000;
  await centre.sweep(now);
  expect(await inner.get(CASE_FIGURES, accepted.id)).toEqual(
    await currentCaseFigures(inner, accepted.id, workingDaysOf(workingTimeLimits())),
  );
});
