/**
 * A command's change and its audit entry, across a crash. The DocStore commits one document at a
 * time (MongoDB without a replica set has no multi-document transaction), so the change and its
 * entry cannot be one write. Instead:
 *
 * 1. before a command's first write to a document, an intent record (collection `auditIntents`)
 *    names the actor, the action, the target and the documents it is about to write;
 * 2. every document the command writes carries, in that same write, the command's id
 *    (`_commands`: the ids of the last commands that changed it), so whether the change
 *    committed can be read from the change itself — for a command on a case, from the case
 *    record, its other writes being made before it and taken up again by a retry (proofsOf);
 * 3. after the command, the audit entry is appended — at most once per command id
 *   (AuditLog.append `once`) — and the intent is closed.
 *
 * A process killed between 1 and 3 leaves the intent open. `recover()` (at start and on the
 * sweep) takes the open intents of processes that are gone (same host and its pid no longer
 * runs, or silent for `staleMs`), appends the entry of each whose change committed
 * (`detail.recovered`), and closes it; an intent whose writes never landed closes without an
 * entry, since nothing changed. Either way `onRecovered` settles the command's Idempotency-Key
 * record, so a retry is neither kept waiting nor run a second time. Intent records are slots a
 * process reuses, so the collection grows with restarts, not with commands.
 *
 * `docs` is the DocStore view that stamps: give it to everything a command may write through.
 * The stamp is invisible above it (stripped from what it returns).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { DocConflictError, type Doc, type DocQuery, type DocStore, type DocWrite } from '../domain/docs.js';
import { faultPoint } from '../http/faults.js';
import type { AuditActor, AuditLog, AuditOutcome } from './log.js';
import { AUDIT } from './log.js';

export const AUDIT_INTENTS = 'auditIntents';
export const STAMP = '_commands';
/** How many command ids a document remembers; more than can change it between a crash and its recovery. */
const STAMPS_KEPT = 16;
const UNSTAMPED = new Set([AUDIT, AUDIT_INTENTS, 'idempotency']);
/** The collection of the case records: a command on a case commits with its write there. */
const CASE_RECORDS = 'applications';

export interface CommandInfo {
  requestId: string;
  actor: AuditActor;
  action: string;
  /** The audit target when known before the command runs (e.g. `application:<id>`). */
  target?: string;
  /** The Idempotency-Key record the command holds, if any: settled by recovery (`onRecovered`). */
  leaseId?: string;
}

/** Told of each recovered command: whether it committed, and what it changed. */
export type RecoveredHook = (command: {
  leaseId?: string;
  committed: boolean;
  target: string;
}) => Promise<void>;

interface IntentRecord extends Doc, CommandInfo {
  state: 'open' | 'closed';
  commandId: string;
  bootId: string;
  host: string;
  pid: number;
  at: number;
  /** The audit head's seq when the command began. */
  fromSeq: number;
  /** `collection/id` of each document the command was about to write. */
  writes: string[];
}

interface Slot {
  id: string;
  rev: number;
}

interface Running {
  info: CommandInfo;
  commandId: string;
  slot?: Slot;
  /** The intent as this command last wrote it (at `slot.rev`). */
  intent?: IntentRecord;
  fromSeq?: number;
  writes: string[];
  /** Stamps of the documents this command read, by `collection/id`, to carry them on. */
  seen: Map<string, { rev: number; stamps: string[] }>;
  /** Intent writes of this command, one at a time. */
  chain: Promise<unknown>;
  closed: boolean;
}

/** What `run` hands back: whether the command wrote (and so needs `complete`). */
export interface CommandRun<T> {
  value?: T;
  error?: unknown;
  command: Running;
}

export class CommandJournal {
  readonly docs: DocStore;
  readonly bootId = randomUUID();
  /** This host's name, written into every intent (os.hostname() is a system call). */
  private readonly host = hostname();
  private readonly context = new AsyncLocalStorage<Running>();
  private readonly freeSlots: Slot[] = [];
  private nextSlot = 0;
  private readonly inFlight = new Set<string>();
  /** Set by the HTTP app: settles the idempotency record of each recovered command. */
  onRecovered?: RecoveredHook;

  constructor(
    private readonly inner: DocStore,
    private readonly audit: AuditLog,
    private readonly clock: () => number = Date.now,
    /** An open intent of another host's process silent this long is taken to be a crash. */
    private readonly staleMs = 60_000,
  ) {
    this.docs = new StampingDocStore(inner, this);
  }

  /** Runs a command; its writes through `docs` are journaled. Never throws: errors come back. */
  async run<T>(info: CommandInfo, fn: () => Promise<T>): Promise<CommandRun<T>> {
    const command: Running = {
      info,
      commandId: randomUUID(),
      writes: [],
      seen: new Map(),
      chain: Promise.resolve(),
      closed: false,
    };
    this.inFlight.add(command.commandId);
    try {
      return { value: await this.context.run(command, fn), command };
    } catch (error) {
      return { error, command };
    } finally {
      command.closed = true;
      await command.chain.catch(() => undefined);
    }
  }

  /**
   * Appends the command's audit entry (once) and closes its intent. A command that wrote nothing
   * gets a plain entry. If the append fails, the intent stays open for `recover()`.
   *
   * `settle`: writes that must not outlive the command unsettled (its Idempotency-Key's
   * response), committed with the entry where the store has batches, else written after it and
   * before the intent closes — so a crash leaves both, or the intent open for recovery to settle
   * them (onRecovered). One that lost its race (the record taken over meanwhile) is left as the
   * other wrote it.
   */
  async complete(
    command: Running,
    entry: { target: string; outcome: AuditOutcome; detail: Record<string, string | number | boolean> },
    settle: (DocWrite & { expectedRev: number })[] = [],
  ): Promise<void> {
    try {
      const input = { actor: command.info.actor, action: command.info.action, ...entry };
      if (!command.slot) {
        await this.audit.append(input);
        await this.writeEach(settle);
        return;
      }
      const slot = command.slot;
      // The intent closes in the entry's own commit where it can (AuditLog.appendWith).
      const closing: DocWrite[] =
        command.intent && this.audit.writesTo(this.inner)
          ? [
              { collection: AUDIT_INTENTS, doc: this.closed(command.intent, slot), expectedRev: slot.rev },
              ...settle,
            ]
          : [];
      const { written } = await this.audit.appendWith(
        input,
        { commandId: command.commandId, fromSeq: command.fromSeq ?? 0 },
        closing,
      );
      if (written) this.freeSlots.push({ id: slot.id, rev: slot.rev + 1 });
      else {
        await this.writeEach(settle);
        await this.closeOwn(command, slot);
      }
    } finally {
      this.inFlight.delete(command.commandId);
    }
  }

  private async writeEach(writes: (DocWrite & { expectedRev: number })[]): Promise<void> {
    for (const w of writes)
      await this.inner.put(w.collection, w.doc, w.expectedRev).catch((err: unknown) => {
        if (!(err instanceof DocConflictError)) throw err;
      });
  }

  /** Appends the entries of commands that died after committing; returns how many intents it closed. */
  async recover(): Promise<{ closed: number; audited: number }> {
    const open = await this.inner.find<IntentRecord>(AUDIT_INTENTS, { where: { state: 'open' } });
    let closed = 0;
    let audited = 0;
    for (const listed of open) {
      const intent = await this.takeOver(listed);
      if (!intent) continue;
      const committed = await this.committed(intent);
      const target = targetOfIntent(intent);
      if (committed) {
        await this.audit.append(
          {
            actor: intent.actor,
            action: intent.action,
            target,
            outcome: 'ok',
            detail: { requestId: intent.requestId, recovered: true },
          },
          { commandId: intent.commandId, fromSeq: intent.fromSeq },
        );
        audited++;
      }
      await this.onRecovered?.({ ...(intent.leaseId ? { leaseId: intent.leaseId } : {}), committed, target });
      if (await this.close({ id: intent.id, rev: intent.rev }, intent.commandId, false)) closed++;
    }
    return { closed, audited };
  }

  /**
   * The listed intent, if it is abandoned and still open as listed, taken over by a write of its
   * own (compare-and-set on its rev) and returned as written. The list may be stale: a command of
   * this process may have finished since it was read (no longer in flight, its intent closed),
   * and another recovery may have taken the intent meanwhile; either way it is left alone.
   */
  private async takeOver(listed: IntentRecord): Promise<IntentRecord | undefined> {
    if (!this.abandoned(listed)) return undefined;
    const current = await this.inner.get<IntentRecord>(AUDIT_INTENTS, listed.id);
    if (current?.state !== 'open' || current.commandId !== listed.commandId || !this.abandoned(current))
      return undefined;
    try {
      return await this.inner.put<IntentRecord>(AUDIT_INTENTS, current, current.rev);
    } catch (err) {
      if (err instanceof DocConflictError) return undefined; // closed or taken meanwhile
      throw err;
    }
  }

  private abandoned(intent: IntentRecord): boolean {
    if (intent.bootId === this.bootId) return !this.inFlight.has(intent.commandId);
    if (intent.host === hostname() && !processRuns(intent.pid)) return true;
    return intent.at < this.clock() - this.staleMs;
  }

  /**
   * Whether a command that failed had committed its change first (a step after the case's write
   * failed), and what it changed: such a command happened, and is answered and audited so.
   */
  async landed(command: Running): Promise<{ target: string } | undefined> {
    const intent = command.intent;
    if (!intent || !(await this.committed(intent))) return undefined;
    return { target: targetOfIntent(intent) };
  }

  private async committed(intent: IntentRecord): Promise<boolean> {
    for (const write of proofsOf(intent)) {
      const cut = write.indexOf('/');
      const doc = await this.inner.get<Doc & { [STAMP]?: string[] }>(
        write.slice(0, cut),
        write.slice(cut + 1),
      );
      if (doc?.[STAMP]?.includes(intent.commandId)) return true;
    }
    return false;
  }

  /**
   * Closes this command's own intent by compare-and-set on the rev it wrote, without reading it
   * back: a recovery that took it meanwhile changed the rev, and then the put conflicts.
   */
  private async closeOwn(command: Running, slot: Slot): Promise<boolean> {
    if (!command.intent) return this.close(slot, command.commandId);
    try {
      const saved = await this.inner.put<IntentRecord>(
        AUDIT_INTENTS,
        this.closed(command.intent, slot),
        slot.rev,
      );
      this.freeSlots.push({ id: slot.id, rev: saved.rev });
      return true;
    } catch (err) {
      if (err instanceof DocConflictError) return false; // closed by a recovery meanwhile
      throw err;
    }
  }

  private closed(intent: IntentRecord, slot: Slot): IntentRecord {
    return { ...intent, rev: slot.rev, state: 'closed', writes: [] };
  }

  private async close(slot: Slot, commandId: string, reuse = true): Promise<boolean> {
    const current = await this.inner.get<IntentRecord>(AUDIT_INTENTS, slot.id);
    if (!current || current.commandId !== commandId || current.state !== 'open') return false;
    try {
      const saved = await this.inner.put<IntentRecord>(
        AUDIT_INTENTS,
        { ...current, state: 'closed', writes: [] },
        current.rev,
      );
      if (reuse && current.bootId === this.bootId) this.freeSlots.push({ id: slot.id, rev: saved.rev });
      return true;
    } catch (err) {
      if (err instanceof DocConflictError) return false; // closed by a recovery meanwhile
      throw err;
    }
  }

  // ── used by the stamping view ───────────────────────────────────────────────────────

  current(): Running | undefined {
    const c = this.context.getStore();
    return c && !c.closed ? c : undefined;
  }

  /** Records the write-ahead intent for `write` (once per document), in order. */
  intend(command: Running, write: string): Promise<unknown> {
    if (command.writes.includes(write)) return command.chain;
    command.writes.push(write);
    command.chain = command.chain.then(() => this.writeIntent(command));
    return command.chain;
  }

  private async writeIntent(command: Running): Promise<void> {
    await this.withIntent(command, async (intent) => {
      await this.inner.put(AUDIT_INTENTS, intent.doc, intent.expectedRev!);
    });
  }

  /**
   * Runs `write` with the command's intent record as it should now be stored (in a free slot, or
   * its own), then takes that slot as the command's. A free slot that a recovery closed meanwhile
   * conflicts: another is taken and `write` runs again.
   */
  private async withIntent<T>(command: Running, write: (intent: DocWrite) => Promise<T>): Promise<T> {
    command.fromSeq ??= await this.audit.seenSeq();
    for (;;) {
      const slot = command.slot ??
        this.freeSlots.pop() ?? { id: `${this.bootId}-${this.nextSlot++}`, rev: 0 };
      const record: IntentRecord = {
        id: slot.id,
        rev: slot.rev,
        ...command.info,
        state: 'open',
        commandId: command.commandId,
        bootId: this.bootId,
        host: this.host,
        pid: process.pid,
        at: this.clock(),
        fromSeq: command.fromSeq,
        writes: [...command.writes],
      };
      try {
        const result = await write({ collection: AUDIT_INTENTS, doc: record, expectedRev: slot.rev });
        command.slot = { id: slot.id, rev: slot.rev + 1 };
        command.intent = record;
        return result;
      } catch (err) {
        if (!(err instanceof DocConflictError) || err.collection !== AUDIT_INTENTS) throw err;
        if (command.slot) throw err; // our own open intent changed under us: a recovery took it
        // a recovery closed this free slot meanwhile: take another
      }
    }
  }

  /**
   * Writes documents of the command in one commit with the intent that names them (its first
   * write to each), in the command's order: the same write-ahead guarantee as an intent
   * committed first (both or neither land), for one commit instead of two. `write` gets the
   * intent write to include, or none when every document is journaled already.
   */
  writeWithIntent<T>(
    command: Running,
    targets: string[],
    write: (intent: DocWrite | undefined) => Promise<T>,
  ): Promise<T> {
    const run = command.chain.then(async () => {
      const fresh = [...new Set(targets)].filter((target) => !command.writes.includes(target));
      if (!fresh.length) return write(undefined);
      command.writes.push(...fresh);
      try {
        return await this.withIntent(command, write);
      } catch (err) {
        // Nothing of the batch landed: the stored intent does not name these documents either.
        command.writes = command.writes.filter((target) => !fresh.includes(target));
        throw err;
      }
    });
    command.chain = run.catch(() => undefined);
    return run;
  }
}

/**
 * The writes whose stamp proves the command committed. A command on a case (target
 * `application:<id>` or `task:<id>:<item>`) commits with the write of the case record: its
 * earlier writes (an approval's e-licence) are taken up again by a retry, so their stamp alone
 * proves nothing. Any other command: any of its writes.
 */
function proofsOf(intent: Pick<IntentRecord, 'target' | 'writes'>): string[] {
  const onCase = /^(?:application|task):([^:]+)/.exec(intent.target ?? '');
  return onCase ? [`${CASE_RECORDS}/${onCase[1]}`] : intent.writes;
}

/** `application:<id>` for `applications/<id>`: the target the pipeline would have named. */
function targetOfWrite(write: string): string {
  const cut = write.indexOf('/');
  const kind = write.slice(0, cut).replace(/ies$/, 'y').replace(/s$/, '');
  return `${kind}:${write.slice(cut + 1)}`;
}

function processRuns(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

type Stamped = Doc & { [STAMP]?: string[] };

function strip<T extends Doc>(doc: T): T {
  if (!(STAMP in doc)) return doc;
  const { [STAMP]: _stamps, ...rest } = doc as Stamped;
  return rest as T;
}

/** The DocStore as commands see it: their writes are stamped and journaled, the stamps hidden. */
class StampingDocStore implements DocStore {
  /** Present when the adapter commits a batch atomically (DocStore.writeAll). */
  readonly writeAll?: (writes: DocWrite[]) => Promise<Doc[]>;

  constructor(
    private readonly inner: DocStore,
    private readonly journal: CommandJournal,
  ) {
    const batch = inner.writeAll?.bind(inner);
    if (batch) this.writeAll = (writes) => this.writeAllStamped(batch, writes);
  }

  async put<T extends Doc>(collection: string, doc: T, expectedRev: number): Promise<T> {
    if (UNSTAMPED.has(collection)) return strip(await this.inner.put(collection, doc, expectedRev));
    const command = this.journal.current();
    const batch = this.inner.writeAll?.bind(this.inner);
    if (command && batch) {
      // The intent and the write in one commit (CommandJournal.writeWithIntent).
      const stamped = { ...doc, [STAMP]: await this.stampsAfter(command, collection, doc.id, expectedRev) };
      const saved = await this.journal.writeWithIntent(
        command,
        [`${collection}/${doc.id}`],
        async (intent) => {
          const written = await batch([
            ...(intent ? [intent] : []),
            { collection, doc: stamped, expectedRev },
          ]);
          return written[written.length - 1] as Stamped;
        },
      );
      this.written(command, collection, saved);
      return strip(saved) as unknown as T;
    }
    const stamped = await this.stamped(command, collection, doc, expectedRev);
    const saved = await this.inner.put<Stamped>(collection, stamped, expectedRev);
    if (command) this.written(command, collection, saved);
    return strip(saved) as unknown as T;
  }

  /** The document as it is to be stored: with the command's stamp (journaled first), or the stamps it had. */
  private async stamped<T extends Doc>(
    command: Running | undefined,
    collection: string,
    doc: T,
    expectedRev: number,
  ): Promise<T> {
    if (!command) return this.keepStamps(collection, doc, expectedRev);
    await this.journal.intend(command, `${collection}/${doc.id}`);
    return { ...doc, [STAMP]: await this.stampsAfter(command, collection, doc.id, expectedRev) };
  }

  /** The document's stamps once this command has written it: those it had (read or remembered), then its own. */
  private async stampsAfter(
    command: Running,
    collection: string,
    id: string,
    expectedRev: number,
  ): Promise<string[]> {
    let stamps: string[] = [];
    if (expectedRev > 0) {
      const seen = command.seen.get(`${collection}/${id}`);
      stamps =
        seen?.rev === expectedRev
          ? seen.stamps
          : ((await this.inner.get<Stamped>(collection, id))?.[STAMP] ?? []);
    }
    return [...stamps.slice(-(STAMPS_KEPT - 1)), command.commandId];
  }

  private written(command: Running, collection: string, saved: Stamped): void {
    command.seen.set(`${collection}/${saved.id}`, { rev: saved.rev, stamps: saved[STAMP] ?? [] });
    // Crash tests stop a command between two of its writes, e.g. `after-write:tasks.approve:licences`.
    faultPoint(`after-write:${command.info.action}:${collection}`);
  }

  /**
   * A batch: within a command its stamped documents commit together with the intent that names
   * them (CommandJournal.writeWithIntent), as a single put does; outside one they keep their stamps.
   */
  private async writeAllStamped(
    batch: (writes: DocWrite[]) => Promise<Doc[]>,
    writes: DocWrite[],
  ): Promise<Doc[]> {
    const command = this.journal.current();
    const stampedAt = (w: DocWrite) => w.expectedRev !== undefined && !UNSTAMPED.has(w.collection);
    const prepared: DocWrite[] = [];
    for (const w of writes) {
      if (!stampedAt(w)) prepared.push(w);
      else if (!command)
        prepared.push({ ...w, doc: await this.keepStamps(w.collection, w.doc, w.expectedRev!) });
      else {
        const stamps = await this.stampsAfter(command, w.collection, w.doc.id, w.expectedRev!);
        prepared.push({ ...w, doc: { ...w.doc, [STAMP]: stamps } as Stamped });
      }
    }
    const targets = writes.filter(stampedAt).map((w) => `${w.collection}/${w.doc.id}`);
    const saved =
      command && targets.length
        ? await this.journal.writeWithIntent(command, targets, async (intent) =>
            intent ? (await batch([intent, ...prepared])).slice(1) : batch(prepared),
          )
        : await batch(prepared);
    if (command)
      saved.forEach((doc, i) => stampedAt(writes[i]!) && this.written(command, writes[i]!.collection, doc));
    return saved.map(strip);
  }

  /**
   * A write outside any command (the tick's sweep, from either process) keeps the stamps: they are
   * the proof a crashed command's recovery reads, and dropping them made a committed command look
   * as if it never wrote (committed, 0 audit entries).
   */
  private async keepStamps<T extends Doc>(collection: string, doc: T, expectedRev: number): Promise<T> {
    if (expectedRev === 0) return doc;
    const stamps = (await this.inner.get<Stamped>(collection, doc.id))?.[STAMP];
    return stamps ? { ...doc, [STAMP]: stamps } : doc;
  }

  replace<T extends Doc>(collection: string, doc: T): Promise<void> {
    return this.inner.replace(collection, doc);
  }

  async get<T extends Doc>(collection: string, id: string): Promise<T | undefined> {
    const doc = await this.inner.get<T & Stamped>(collection, id);
    if (!doc) return undefined;
    const command = this.journal.current();
    if (command && doc[STAMP]) command.seen.set(`${collection}/${id}`, { rev: doc.rev, stamps: doc[STAMP] });
    return strip(doc);
  }

  async find<T extends Doc>(collection: string, query?: DocQuery): Promise<T[]> {
    return (await this.inner.find<T>(collection, query)).map(strip);
  }

  count(collection: string, where?: DocQuery['where']): Promise<number> {
    return this.inner.count(collection, where);
  }

  /** Passes close() through, so whoever closes the store closes the adapter. */
  close(): unknown {
    return (this.inner as { close?: () => unknown }).close?.();
  }
}

/** What a command changed, as its audit entry names it: its target, else its first proof's document. */
function targetOfIntent(intent: IntentRecord): string {
  return intent.target ?? targetOfWrite(proofsOf(intent)[0] ?? intent.writes[0]!);
}
