/**
 * Append-only audit log with a SHA-256 hash chain, kept in the DocStore collection `audit`.
 *
 * Every entry carries the hash of the one before it (`prevHash`) and its own hash over the
 * canonical JSON of everything else it holds, so changing, removing or reordering any entry
 * breaks the chain at that entry. Appends are serialised by compare-and-set on one head
 * document (`audit/head`): the head names the newest entry, so two writers (in this process or
 * another) can never both extend the same link. Where head and entry commit together
 * (DocStore.writeAll) that is all it holds; where they are written one after the other it also
 * carries the entry in full, and an entry whose writer died after moving the head is written by
 * the next appender from the head's copy.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Actor } from '../domain/actor.js';
import { DocConflictError, encodeCursor, type Doc, type DocStore, type DocWrite } from '../domain/docs.js';
import { canonicalJson, sha256Hex } from './canonical.js';

export const AUDIT = 'audit';
const HEAD_ID = 'head';
export const GENESIS_HASH = '0'.repeat(64);

export type AuditOutcome = 'ok' | 'denied' | 'rejected' | 'error';

export interface AuditActor {
  userId: string;
  role: string;
  department?: string;
  region?: string;
}

export interface AuditInput {
  actor: AuditActor;
  /** What was done, e.g. `applications.accept`, `auth.token`, `read.sensitive`. */
  action: string;
  /** What it was done to, e.g. `application:2f3c…`, `task:…`, `bundle:newborn`. */
  target: string;
  outcome: AuditOutcome;
  /** Small, non-personal details: HTTP status, problem type, request id, reason code. */
  detail?: Record<string, string | number | boolean>;
  at?: number;
}

export interface AppendOnce {
  commandId: string;
  /** The audit head's seq before the command wrote anything: its entry can only come later. */
  fromSeq: number;
}

export interface AuditEntry extends Doc {
  kind: 'entry';
  seq: number;
  at: number;
  actor: AuditActor;
  /** Copy of actor.userId at the top level, so queries can filter on it. */
  userId: string;
  /** The command this entry records (audit/journal.ts), when it changed stored documents. */
  commandId?: string;
  action: string;
  target: string;
  outcome: AuditOutcome;
  detail?: Record<string, string | number | boolean>;
  prevHash: string;
  hash: string;
}

/**
 * The head. Its sequence number is `headSeq`, a field no index of the collection holds, so moving
 * the head leaves every index alone: as `seq` (up to this version) it changed the head's entries
 * in the seq, kind and other audit indexes on every append (on SQLite a second UPDATE and up to
 * four more pages written per command). A head stored with `seq` is read as before (headOf).
 */
interface AuditHead extends Doc {
  kind: 'head';
  headSeq: number;
  hash: string;
  /** The newest entry in full, until every appender has seen it stored. */
  last?: AuditEntry;
}

export interface AuditBreak {
  seq: number;
  id?: string;
  reason: 'hash-mismatch' | 'prev-hash-mismatch' | 'missing' | 'out-of-order' | 'rewritten' | 'head-mismatch';
  message: { zh: string; en: string };
}

export interface VerifyReport {
  ok: boolean;
  /** Entries walked. */
  entries: number;
  headSeq: number;
  headHash: string;
  /** The first broken link, when the chain is not intact. */
  firstBroken?: AuditBreak;
}

export interface AuditPage {
  items: AuditEntry[];
  next?: string;
}

export const entryId = (seq: number) => `e${String(seq).padStart(12, '0')}`;

/** The hash of an entry: SHA-256 over the canonical JSON of every member but id, rev and hash. */
export function hashEntry(
  entry: Omit<AuditEntry, 'id' | 'rev' | 'hash'> & Partial<Pick<AuditEntry, 'id' | 'rev' | 'hash'>>,
): string {
  const { id: _id, rev: _rev, hash: _hash, ...content } = entry;
  return sha256Hex(canonicalJson(content));
}

export function auditActor(actor: Pick<Actor, 'userId' | 'role' | 'department' | 'region'>): AuditActor {
  return {
    userId: actor.userId,
    role: actor.role,
    ...(actor.department ? { department: actor.department } : {}),
    ...(actor.region ? { region: actor.region } : {}),
  };
}

const MAX_ATTEMPTS = 200;
/** Own command entries remembered for the once-check (see AuditLog.ownCommands). */
const OWN_COMMANDS_KEPT = 10_000;

export class AuditLog {
  /** Appends from this process queue here; CAS on the head covers other processes. */
  private tail: Promise<unknown> = Promise.resolve();
  /** The newest entry this process knows is stored: the head's copy of it needs no look-up. */
  private storedThrough = 0;
  /**
   * The head as this process last read or moved it. An append tries it first instead of reading
   * the head again: if another process moved the head meanwhile, the compare-and-set on its rev
   * fails and the append reads it then.
   */
  private head?: AuditHead;
  /**
   * Every entry after `ownFrom` up to `head` was appended by this process; `ownCommands` holds
   * those of commands. While the cached head holds, a command's once-check needs no look-up.
   */
  private ownFrom = Number.POSITIVE_INFINITY;
  private readonly ownCommands = new Map<string, AuditEntry>();

  constructor(
    private readonly docs: DocStore,
    private readonly clock: () => number = Date.now,
  ) {}

  /**
   * Appends an entry. With `once`, at most one entry is ever appended for that command id: the
   * entries after `fromSeq` (the head when the command began) are checked under the head's
   * compare-and-set, so a recovery and a slow original (or two recoveries) cannot both append.
   */
  append(input: AuditInput, once?: AppendOnce): Promise<AuditEntry> {
    return this.appendWith(input, once).then((r) => r.entry);
  }

  /**
   * `append`, with `also` committed in the same transaction as the entry where the store commits
   * batches (DocStore.writeAll; the journal closes its intent so). `also` is left out when the
   * store has no batches, when it conflicts, or when the entry was there already: `written` says
   * whether it landed.
   */
  appendWith(
    input: AuditInput,
    once?: AppendOnce,
    also: DocWrite[] = [],
  ): Promise<{ entry: AuditEntry; written: boolean }> {
    const run = this.tail.catch(() => undefined).then(() => this.appendNow(input, once, also));
    this.tail = run.catch(() => undefined);
    return run;
  }

  /** Whether this log writes to `store` (so a batch with other writes of `store` is one commit). */
  writesTo(store: DocStore): boolean {
    return this.docs === store;
  }

  /** The sequence number of the newest entry (0 when the log is empty). */
  async headSeq(): Promise<number> {
    return (await this.storedHead())?.headSeq ?? 0;
  }

  private async storedHead(): Promise<AuditHead | undefined> {
    const stored = await this.docs.get<AuditHead & { seq?: number }>(AUDIT, HEAD_ID);
    if (!stored || stored.headSeq !== undefined) return stored;
    // Stored before headSeq: its `seq` is the head's, and the next move writes it as headSeq.
    const { seq, ...head } = stored;
    return { ...head, headSeq: seq ?? 0 };
  }

  /**
   * A sequence number no newer than the head's: the head this process saw last, else the stored
   * one. Enough for `AppendOnce.fromSeq`, which only has to be at or before the command's start.
   */
  async seenSeq(): Promise<number> {
    return this.head ? this.head.headSeq : this.headSeq();
  }

  /** The stored head; if it is not the one this process saw last, its own entries start after it. */
  private async readHead(): Promise<AuditHead> {
    const head = (await this.storedHead()) ?? {
      id: HEAD_ID,
      rev: 0,
      kind: 'head' as const,
      headSeq: 0,
      hash: GENESIS_HASH,
    };
    if (head.rev !== this.head?.rev) {
      this.ownFrom = head.headSeq;
      this.ownCommands.clear();
    }
    return (this.head = head);
  }

  /** Records an entry this process appended on top of `head`, the head it then wrote. */
  private appended(entry: AuditEntry, head: AuditHead): void {
    this.head = head;
    this.storedThrough = Math.max(this.storedThrough, entry.seq);
    if (this.ownCommands.size >= OWN_COMMANDS_KEPT) {
      this.ownCommands.clear();
      this.ownFrom = entry.seq - 1;
    }
    if (entry.commandId) this.ownCommands.set(entry.commandId, entry);
  }

  /**
   * The command's entry if it is in already, from this process's own appends when every entry
   * after the command began is one of them (valid while the head is the cached one, which the
   * append's compare-and-set checks), else by look-up.
   */
  private async existingEntry(once: AppendOnce): Promise<AuditEntry | undefined> {
    if (once.fromSeq < this.ownFrom) return this.entryOf(once);
    const own = this.ownCommands.get(once.commandId);
    return own && own.seq > once.fromSeq ? own : undefined;
  }

  private async appendNow(
    input: AuditInput,
    once: AppendOnce | undefined,
    also: DocWrite[],
  ): Promise<{ entry: AuditEntry; written: boolean }> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const cached = this.head !== undefined;
      const head = this.head ?? (await this.readHead());
      if (head.last && head.last.seq > this.storedThrough) await this.store(head.last);
      if (once) {
        const done = await this.existingEntry(once);
        if (done) return { entry: done, written: false };
      }
      const seq = head.headSeq + 1;
      const content: Omit<AuditEntry, 'id' | 'rev' | 'hash'> = {
        kind: 'entry',
        seq,
        at: input.at ?? this.clock(),
        actor: input.actor,
        userId: input.actor.userId,
        ...(once ? { commandId: once.commandId } : {}),
        action: input.action,
        target: input.target,
        outcome: input.outcome,
        ...(input.detail ? { detail: input.detail } : {}),
        prevHash: head.hash,
      };
      const entry: AuditEntry = { id: entryId(seq), rev: 0, ...content, hash: hashEntry(content) };
      // The head carries the entry in full only where the two are written one after the other.
      const newHead: AuditHead = {
        id: HEAD_ID,
        rev: head.rev,
        kind: 'head',
        headSeq: seq,
        hash: entry.hash,
        ...(this.docs.writeAll ? {} : { last: entry }),
      };
      const movedHead = { ...newHead, rev: head.rev + 1 };
      try {
        if (this.docs.writeAll) {
          // Head and entry in one commit where the store has them (SQLite): one write instead of
          // two, and no copy of the entry in the head (nothing can commit one without the other).
          await this.docs.writeAll([
            { collection: AUDIT, doc: newHead, expectedRev: head.rev },
            { collection: AUDIT, doc: entry, expectedRev: 0 },
            ...also,
          ]);
          const stored = { ...entry, rev: 1 };
          this.appended(stored, movedHead);
          return { entry: stored, written: also.length > 0 };
        }
        await this.docs.put<AuditHead>(AUDIT, newHead, head.rev);
      } catch (err) {
        if (!(err instanceof DocConflictError)) {
          this.head = undefined;
          throw err;
        }
        if (err.collection !== AUDIT && also.length) {
          also = []; // the other write lost its race: the entry goes in alone
          continue;
        }
        // The head moved (another process): read it again; back off only if that was fresh too.
        this.head = undefined;
        if (!cached) await sleep(Math.floor(Math.random() * Math.min(50, 2 + attempt * 2)));
        continue;
      }
      this.head = movedHead;
      const stored = await this.store(entry);
      this.appended(stored, movedHead);
      return { entry: stored, written: false };
    }
    throw new Error(`audit append did not get the head after ${MAX_ATTEMPTS} attempts`);
  }

  /**
   * The entry of a command, if one was appended: command ids are unique and indexed, so this is one
   * look-up (it was a scan of every entry since the command began, which grew with the load).
   */
  private async entryOf(once: AppendOnce): Promise<AuditEntry | undefined> {
    const [found] = await this.docs.find<AuditEntry>(AUDIT, {
      where: { commandId: once.commandId },
      limit: 1,
    });
    return found?.kind === 'entry' && found.seq > once.fromSeq ? found : undefined;
  }

  /** Writes an entry once; if it is there already (another appender wrote it) nothing changes. */
  private async store(entry: AuditEntry): Promise<AuditEntry> {
    const existing = await this.docs.get<AuditEntry>(AUDIT, entry.id);
    if (existing) return existing;
    try {
      const saved = await this.docs.put<AuditEntry>(AUDIT, { ...entry, rev: 0 }, 0);
      this.storedThrough = Math.max(this.storedThrough, entry.seq);
      return saved;
    } catch (err) {
      if (err instanceof DocConflictError) return (await this.docs.get<AuditEntry>(AUDIT, entry.id))!;
      throw err;
    }
  }

  /** Newest first; `after` is the `next` of the previous page. */
  async list(
    filter: { limit?: number; after?: string; action?: string; userId?: string } = {},
  ): Promise<AuditPage> {
    const limit = Math.min(Math.max(filter.limit ?? 50, 1), 500);
    const where: Record<string, string> = { kind: 'entry' };
    if (filter.action) where.action = filter.action;
    if (filter.userId) where.userId = filter.userId;
    const items = await this.docs.find<AuditEntry>(AUDIT, {
      where,
      orderBy: 'seq',
      desc: true,
      limit: limit + 1,
      ...(filter.after ? { after: filter.after } : {}),
    });
    const page = items.slice(0, limit);
    const last = page[page.length - 1];
    return items.length > limit && last
      ? { items: page, next: encodeCursor(last.seq, last.id) }
      : { items: page };
  }

  /** Walks the whole chain from the first entry and reports the first broken link. */
  async verify(pageSize = 1000): Promise<VerifyReport> {
    const head = await this.storedHead();
    const headSeq = head?.headSeq ?? 0;
    const headHash = head?.hash ?? GENESIS_HASH;
    let expectedSeq = 1;
    let prevHash = GENESIS_HASH;
    let walked = 0;
    let after: string | undefined;
    const broken = (b: AuditBreak): VerifyReport => ({
      ok: false,
      entries: walked,
      headSeq,
      headHash,
      firstBroken: b,
    });
    for (;;) {
      const page = await this.docs.find<AuditEntry>(AUDIT, {
        where: { kind: 'entry' },
        orderBy: 'seq',
        limit: pageSize,
        ...(after ? { after } : {}),
      });
      for (const e of page) {
        walked++;
        if (e.seq !== expectedSeq || e.id !== entryId(e.seq)) {
          const missing = e.seq > expectedSeq;
          return broken({
            seq: expectedSeq,
            ...(missing ? {} : { id: e.id }),
            reason: missing ? 'missing' : 'out-of-order',
            message: missing
              ? { zh: `第 ${expectedSeq} 条审计记录缺失`, en: `audit entry ${expectedSeq} is missing` }
              : {
                  zh: `审计记录 ${e.id} 的序号 ${e.seq} 与位置不符`,
                  en: `audit entry ${e.id} has seq ${e.seq} out of place`,
                },
          });
        }
        if (e.prevHash !== prevHash) {
          return broken({
            seq: e.seq,
            id: e.id,
            reason: 'prev-hash-mismatch',
            message: {
              zh: `第 ${e.seq} 条审计记录与前一条不衔接`,
              en: `audit entry ${e.seq} does not link to the entry before it`,
            },
          });
        }
        if (hashEntry(e) !== e.hash || e.userId !== e.actor?.userId) {
          return broken({
            seq: e.seq,
            id: e.id,
            reason: 'hash-mismatch',
            message: {
              zh: `第 ${e.seq} 条审计记录内容被改动`,
              en: `audit entry ${e.seq} was altered (hash mismatch)`,
            },
          });
        }
        if (e.rev !== 1) {
          return broken({
            seq: e.seq,
            id: e.id,
            reason: 'rewritten',
            message: {
              zh: `第 ${e.seq} 条审计记录被重写过`,
              en: `audit entry ${e.seq} was rewritten after it was appended`,
            },
          });
        }
        prevHash = e.hash;
        expectedSeq++;
      }
      const last = page[page.length - 1];
      if (page.length < pageSize || !last) break;
      after = encodeCursor(last.seq, last.id);
    }
    const lastSeq = expectedSeq - 1;
    if (lastSeq !== headSeq || prevHash !== headHash) {
      // The newest entry may still be on its way from the head to the collection (its writer died).
      const pending =
        head?.last &&
        head.last.seq === lastSeq + 1 &&
        head.last.prevHash === prevHash &&
        hashEntry(head.last) === head.hash;
      if (!pending || headSeq !== lastSeq + 1) {
        const missing = headSeq > lastSeq;
        return broken({
          seq: missing ? lastSeq + 1 : headSeq,
          reason: missing ? 'missing' : 'head-mismatch',
          message: missing
            ? { zh: `第 ${lastSeq + 1} 条审计记录缺失`, en: `audit entry ${lastSeq + 1} is missing` }
            : { zh: '审计链头与最后一条记录不符', en: 'the audit head does not match the last entry' },
        });
      }
    }
    return { ok: true, entries: walked, headSeq, headHash };
  }
}
