/**
 * The rectification desk on its own: opening is idempotent, start-up reconciliation opens what a
 * crash left unopened, the responsible unit follows 谁办理谁负责, and the status reaches the
 * application's evaluation even when the application changes concurrently.
 */
import type { Actor } from '../domain/actor.js';
import { MemoryDocStore, type DocStore } from '../domain/docs.js';
import { APPLICATIONS } from './centre.js';
import {
  RECTIFICATIONS,
  RectificationDesk,
  responsibleDepartment,
  type RectificationCase,
} from './rectification.js';
import type { Application } from './types.js';
import { workingTimeLimits } from './working-time.js';

// Monday 2026-11-23 09:00 CST
const T0 = Date.UTC(2026, 10, 23, 1, 0);
const reviewer: Actor = { userId: 'tax1', name: '税务', role: 'department', department: 'tax' };

function application(id: string, over: Partial<Application> = {}): Application {
  return {
    id,
    rev: 0,
    number: `N-${id}`,
    bundleCode: 'business-startup',
    bundleVersion: 1,
    processId: 'business-startup',
    status: 'evaluated',
    applicant: { kind: 'person', name: '张三', idNumber: 'x', userId: 'applicant1' },
    applicantUserId: 'applicant1',
    answers: {},
    data: {},
    items: [
      {
        item: 'registration',
        name: { zh: '登记', en: 'registration' },
        department: 'market-regulation',
        status: 'approved',
        limitDays: 1,
      },
      { item: 'tax', name: { zh: '税务', en: 'tax' }, department: 'tax', status: 'approved', limitDays: 1 },
    ],
    materials: [],
    commitments: [],
    requests: [],
    notices: [],
    pauses: [],
    evaluations: [{ channel: 'web', level: 1, at: T0, by: 'applicant1' }],
    departments: ['market-regulation', 'tax'],
    region: '440402',
    city: '440400',
    createdAt: T0,
    promisedDays: 1,
    timeline: [],
    ...over,
  };
}

const desk = (docs: DocStore) =>
  new RectificationDesk({ docs, timeLimits: workingTimeLimits(), clock: () => T0 });

test('the unit whose item ran overdue answers for the review; otherwise the first item’s', () => {
  expect(responsibleDepartment(application('a'))).toBe('market-regulation');
  const late = application('b');
  late.items[1]!.timeStatus = 'red';
  expect(responsibleDepartment(late)).toBe('tax');
});

test('opening twice opens once; good reviews open nothing; the evaluation carries the case', async () => {
  const docs = new MemoryDocStore();
  await docs.put(
    APPLICATIONS,
    application('a', {
      evaluations: [
        { channel: 'web', level: 2, at: T0, by: 'applicant1' },
        { channel: 'window', level: 5, at: T0, by: 'clerk1' },
      ],
    }),
    0,
  );
  const d = desk(docs);
  expect((await d.openFor('a')).map((c) => c.id)).toEqual(['a:web']);
  expect(await d.openFor('a')).toEqual([]);
  expect(await docs.count(RECTIFICATIONS)).toBe(1);
  const app = (await docs.get<Application>(APPLICATIONS, 'a'))!;
  expect(app.evaluations[0]!.rectification).toMatchObject({ status: 'assigned', caseId: 'a:web' });
  expect(app.evaluations[1]!.rectification).toBeUndefined();
});

test('start-up reconciliation opens the cases a crash left unopened, and only those', async () => {
  const docs = new MemoryDocStore();
  for (const id of ['a', 'b', 'c']) await docs.put(APPLICATIONS, application(id), 0);
  await docs.put(
    APPLICATIONS,
    application('d', { evaluations: [{ channel: 'qr', level: 4, at: T0, by: 'x' }] }),
    0,
  );
  const d = desk(docs);
  await d.openFor('b');
  expect(await d.reconcile()).toBe(2);
  expect((await docs.find<RectificationCase>(RECTIFICATIONS)).map((c) => c.id).sort()).toEqual([
    'a:web',
    'b:web',
    'c:web',
  ]);
  expect(await d.reconcile()).toBe(0);
});

test('a status change reaches the evaluation even when the application changed in between', async () => {
  const docs = new MemoryDocStore();
  await docs.put(APPLICATIONS, application('a', { items: [application('a').items[1]!] }), 0);
  const d = desk(docs);
  await d.openFor('a');
  // Someone else saves the application (a new rev) before the department acts.
  const current = (await docs.get<Application>(APPLICATIONS, 'a'))!;
  await docs.put(APPLICATIONS, { ...current, endReason: 'touched' }, current.rev);
  await d.contact(reviewer, 'a:web', { note: '已联系' });
  const app = (await docs.get<Application>(APPLICATIONS, 'a'))!;
  expect(app.endReason).toBe('touched');
  expect(app.evaluations[0]!.rectification!.status).toBe('verifying');
});

test('属地: a department office sees and acts on only the cases its region decided', async () => {
  const docs = new MemoryDocStore();
  await docs.put(APPLICATIONS, application('a'), 0);
  // Received in 440402, its registration decided by the 440403 office (异地收件).
  const routed = application('b');
  routed.items[0]!.decidingDepartmentRegion = '440403';
  await docs.put(APPLICATIONS, routed, 0);
  const d = desk(docs);
  await d.openFor('a');
  await d.openFor('b');
  const office = (region: string): Actor => ({
    userId: `mr-${region}`,
    name: '市场监管',
    role: 'department',
    department: 'market-regulation',
    region,
  });

  const ids = async (actor: Actor) => (await d.list(actor)).items.map((c) => c.id).sort();
  expect(await ids(office('440402'))).toEqual(['a:web']);
  expect(await ids(office('440403'))).toEqual(['b:web']);
  expect(await ids(office('440404'))).toEqual([]);
  // Without a region the department user sees all of their department's cases, as in the inbox.
  expect(await ids({ ...office('x'), region: undefined })).toEqual(['a:web', 'b:web']);

  // Another region's office gets "not found", for reading and for every action.
  await expect(d.get(office('440403'), 'a:web')).rejects.toMatchObject({ code: 'notFound' });
  await expect(d.contact(office('440403'), 'a:web', { note: 'x' })).rejects.toMatchObject({
    code: 'notFound',
  });
  await d.contact(office('440402'), 'a:web', { note: '已联系' });
  await expect(d.verify(office('440403'), 'a:web', { finding: 'valid' })).rejects.toMatchObject({
    code: 'notFound',
  });

  // A supervisor's reassignment moves the case to the office deciding that department's item.
  const supervisor: Actor = { userId: 's', name: 's', role: 'supervisor', region: '440400' };
  await d.assign(supervisor, 'b:web', { department: 'tax' });
  expect(await ids({ ...reviewer, region: '440402' })).toEqual(['b:web']);
  expect(await ids(office('440403'))).toEqual([]);
});

test('cases opened before 属地 scoping get their deciding office at start-up reconciliation', async () => {
  const docs = new MemoryDocStore();
  const routed = application('a');
  routed.items[0]!.decidingDepartmentRegion = '440403';
  await docs.put(APPLICATIONS, routed, 0);
  const d = desk(docs);
  const [opened] = await d.openFor('a');
  // As stored before the deciding office was recorded on the case.
  const legacy: Record<string, unknown> = { ...opened };
  delete legacy.deciderRegion;
  await docs.put(RECTIFICATIONS, legacy as unknown as RectificationCase, opened!.rev);
  const office: Actor = {
    userId: 'mr',
    name: 'mr',
    role: 'department',
    department: 'market-regulation',
    region: '440403',
  };
  expect((await d.list(office)).items).toEqual([]);
  expect(await d.reconcile()).toBe(0);
  expect((await d.list(office)).items.map((c) => c.id)).toEqual(['a:web']);
});
