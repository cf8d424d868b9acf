/** How the window and department pages read a case's supplement requests: withdrawn (撤回) is never answered. */
import type { Application } from '../../web/src/api.js';
import {
  entryWithdrawn,
  noticeState,
  openNoticeOf,
  requestState,
  requestsToNotify,
} from '../../web/src/lib/supplements.js';

const T = 1_795_395_600_000;
const entry = (item: string, problem: string) => ({ item, department: item, problem });

/** One notice carrying the hospital's and the clinic's requests; the hospital took its back. */
function caseWith(hospital: object, notice: object = {}): Application {
  return {
    requests: [
      {
        id: 'r1',
        item: 'birth',
        department: 'hospital',
        by: 'h',
        at: T,
        entries: [],
        noticeId: 'n1',
        ...hospital,
      },
      { id: 'r2', item: 'vaccine', department: 'clinic', by: 'c', at: T, entries: [], noticeId: 'n1' },
      { id: 'r3', item: 'card', department: 'hrss', by: 's', at: T, entries: [] },
      { id: 'r4', item: 'card', department: 'hrss', by: 's', at: T, entries: [], withdrawnAt: T },
    ],
    notices: [
      {
        id: 'n1',
        kind: 'supplement',
        number: 1,
        issuedAt: T,
        issuedBy: 'clerk',
        entries: [entry('birth', '父亲身份信息'), entry('vaccine', '接种门诊')],
        ...notice,
      },
    ],
  } as unknown as Application;
}

test('a withdrawn request reads as withdrawn, never as answered', () => {
  const app = caseWith({ withdrawnAt: T + 1, withdrawnBy: 'h' });
  expect(app.requests.map(requestState)).toEqual(['withdrawn', 'noticed', 'pending', 'withdrawn']);
  expect(requestState({ ...app.requests[1]!, resolvedAt: T + 2 })).toBe('resolved');
  // Only the request still asked waits for the window's next notice.
  expect(requestsToNotify(app).map((r) => r.id)).toEqual(['r3']);
});

test('a notice shows each withdrawn entry, and the window asks only for what is still asked', () => {
  const app = caseWith({ withdrawnAt: T + 1 });
  const [notice] = app.notices;
  expect(notice!.entries.map((e) => entryWithdrawn(app, notice!, e))).toEqual([true, false]);
  expect(openNoticeOf(app)!.entries.map((e) => e.item)).toEqual(['vaccine']);
  // Not withdrawn: the hospital's entry is still asked.
  expect(openNoticeOf(caseWith({}))!.entries.map((e) => e.item)).toEqual(['birth', 'vaccine']);
});

test('a notice closed by withdrawal is withdrawn; one answered is resolved; neither is open', () => {
  expect(noticeState(caseWith({}, { withdrawnAt: T }).notices[0]!)).toBe('withdrawn');
  expect(noticeState(caseWith({}, { resolvedAt: T }).notices[0]!)).toBe('resolved');
  expect(noticeState(caseWith({}).notices[0]!)).toBe('open');
  expect(openNoticeOf(caseWith({}, { withdrawnAt: T }))).toBeUndefined();
});
