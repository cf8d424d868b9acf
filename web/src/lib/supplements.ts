/**
 * Where a case's supplement notices and requests stand for the pages: a request a department
 * withdrew (撤回) is neither answered nor still asked, so the window neither shows it as 已补正
 * nor asks the applicant for it. Pure, so it is tested.
 */
import type { Application, NoticeEntry } from '../api.js';

type Notice = Application['notices'][number];
type SupplementRequest = Application['requests'][number];

export type RequestState = 'withdrawn' | 'resolved' | 'noticed' | 'pending';

/** One department request: withdrawn, answered, in a notice the applicant has, or waiting for the window. */
export function requestState(r: SupplementRequest): RequestState {
  if (r.withdrawnAt !== undefined) return 'withdrawn';
  if (r.resolvedAt !== undefined) return 'resolved';
  return r.noticeId ? 'noticed' : 'pending';
}

/** A notice's state for its heading: withdrawn (every request in it), answered, or open. */
export function noticeState(n: Notice): 'withdrawn' | 'resolved' | 'open' {
  if (n.withdrawnAt !== undefined) return 'withdrawn';
  return n.resolvedAt !== undefined ? 'resolved' : 'open';
}

/** An entry of a consolidated notice whose item's requests in that notice were all withdrawn. */
export function entryWithdrawn(app: Application, notice: Notice, entry: NoticeEntry): boolean {
  if (!entry.item) return false;
  const behind = app.requests.filter((r) => r.noticeId === notice.id && r.item === entry.item);
  return behind.length > 0 && behind.every((r) => r.withdrawnAt !== undefined);
}

/** The notice the case waits on, with only what is still asked (withdrawn requests' entries left out). */
export function openNoticeOf(app: Application): Notice | undefined {
  const notice = app.notices.find((n) => n.kind === 'supplement' && noticeState(n) === 'open');
  return notice && { ...notice, entries: notice.entries.filter((e) => !entryWithdrawn(app, notice, e)) };
}

/** Department requests the window has not yet gathered into a notice (withdrawn ones are not). */
export const requestsToNotify = (app: Application) =>
  app.requests.filter((r) => requestState(r) === 'pending');
