/**
 * Department inbox rows: the stored projection of each item case, and the task ids that name
 * them (`<applicationId>:<item>`). Centre rebuilds the rows on every save and writes the changed ones.
 */
import type { Application, ItemCase } from './types.js';

/** Department inbox row: a projection of one item case. */
export interface TaskDoc {
  id: string;
  rev: number;
  applicationId: string;
  department: string;
  /** `waiting`: the process has not reached the item yet (an item before it is still undecided). */
  state: 'waiting' | 'open' | 'claimed' | 'needs-supplement' | 'done';
  timeStatus: string;
  deadline: number;
  createdAt: number;
  /** 属地: the deciding office's region, district and city (scope.ts taskScope filters on them). */
  deciderRegion?: string;
  deciderDistrict?: string;
  deciderCity?: string;
}

/**
 * A reviewing item of an accepted case whose workflow task is not open yet: the process has not
 * reached it (an item before it is still undecided). Its department sees it coming, but waiting.
 */
export function notReached(app: Pick<Application, 'acceptedAt'>, item: Pick<ItemCase, 'status' | 'taskId'>) {
  return item.status === 'reviewing' && item.taskId === undefined && app.acceptedAt !== undefined;
}

/** A department task is named by its case and item; splitTaskId reads the name back. */
export const taskIdOf = (applicationId: string, item: string) => `${applicationId}:${item}`;

/** Two inbox rows with the same content (their revs aside: a row keeps the rev it was last written at). */
export function sameRow(a: TaskDoc, b: TaskDoc): boolean {
  // Counted and compared in place: a save compares every item's row, and two entry lists per row
  // were a sizeable share of an approval's garbage.
  const x = a as unknown as Record<string, unknown>;
  const y = b as unknown as Record<string, unknown>;
  let fieldsOfA = 0;
  for (const k in x) if (k !== 'rev' && x[k] !== undefined) fieldsOfA++;
  let fieldsOfB = 0;
  for (const k in y) {
    if (k === 'rev' || y[k] === undefined) continue;
    if (x[k] !== y[k]) return false;
    fieldsOfB++;
  }
  return fieldsOfA === fieldsOfB;
}

export function splitTaskId(id: string): [string, string] {
  const at = id.lastIndexOf(':');
  return at > 0 ? [id.slice(0, at), id.slice(at + 1)] : [id, ''];
}

/**
 * The inbox rows of each case as this process last committed them with the case, keyed by the
 * rev that commit gave the case. A save from that rev compares its rows against these instead of
 * reading them back (a find, its JSON and the decorators' passes: ~4% of a decision). Exact
 * because rows change with their case, in the case's commit: the case's compare-and-set on rev
 * proves nobody (another process included) saved it in between. So rows are never written without
 * their case (a rebuild saves the case at the next rev), Centre remembers rows only where the two
 * commit atomically (DocStore.writeAll), and a save that fails forgets the case.
 */
export class CommittedRows {
  private readonly byCase = new Map<string, { rev: number; rows: ReadonlyMap<string, TaskDoc> }>();

  constructor(private readonly kept = 500) {}

  /** The rows stored with the case at `rev`, if this process committed that rev. */
  at(caseId: string, rev: number): ReadonlyMap<string, TaskDoc> | undefined {
    const known = this.byCase.get(caseId);
    return known?.rev === rev ? known.rows : undefined;
  }

  /** After committing the case at `rev`: the rows stored before, with those the commit wrote. */
  remember(caseId: string, rev: number, before: ReadonlyMap<string, TaskDoc>, written: TaskDoc[]): void {
    const rows = new Map(before);
    for (const row of written) rows.set(row.id, row);
    this.byCase.delete(caseId);
    if (this.byCase.size >= this.kept) this.byCase.delete(this.byCase.keys().next().value!);
    this.byCase.set(caseId, { rev, rows });
  }

  forget(caseId: string): void {
    this.byCase.delete(caseId);
  }
}
