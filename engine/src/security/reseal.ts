/**
 * Seals at rest what an earlier version, key or cipher left otherwise, without waiting for an
 * operator to run `onething-admin reencrypt`: an upgrade that seals more fields (an e-licence's
 * holder, an item's sensitive result), a rotated data key or a switch to SM4 (ONETHING_CIPHER)
 * leaves documents in clear, under the retired key or under the other cipher. On start the
 * server compares the policy, key and cipher the last full pass recorded with its own; when they
 * differ it rewrites the documents in the background, a page at a time with the requests served
 * in between, and records the pass once it found nothing left.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Doc, DocStore } from '../domain/docs.js';
import type { CipherName } from '../../../forms/src/crypto/aead.js';
import type { EncryptingDocStore } from './encryption.js';

/** Where the record of the last full pass is kept (a collection no policy seals). */
export const SEALING = 'sealing';
const LAST_PASS = 'last-pass';

export interface SealingRecord extends Doc {
  /** The policy's digest, the key and the cipher every sealed value was under after the pass. */
  policy: string;
  keyId: string;
  /** Absent in records of versions before the cipher could be chosen: AES. */
  cipher?: CipherName;
  at: number;
}

/** A pass that met a live write on a document leaves it to the next: this many in a row at most. */
const PASSES = 3;

export interface ResealReport {
  /** False when the last full pass was already under this policy and key: nothing was read. */
  ran: boolean;
  rewritten: number;
  /** Documents a live write changed under every pass: sealed by a later start. */
  conflicts: number;
}

/**
 * Rewrites what the current policy and key would seal differently, unless the record says a full
 * pass under them is done. `raw`: the store below encryption (the record is kept there). An
 * abort ends the pass between two pages, rejecting with the signal's reason; the next start
 * goes on from the beginning (what is sealed already is skipped).
 */
export async function resealIfStale(
  raw: DocStore,
  encrypting: EncryptingDocStore,
  options: { signal?: AbortSignal; betweenPages?: () => Promise<void>; now?: () => number } = {},
): Promise<ResealReport> {
  const wanted = encrypting.sealedAs;
  const last = await raw.get<SealingRecord>(SEALING, LAST_PASS);
  if (
    last?.policy === wanted.policy &&
    last.keyId === wanted.keyId &&
    (last.cipher ?? 'aes') === wanted.cipher
  )
    return { ran: false, rewritten: 0, conflicts: 0 };
  // Between pages: the requests waiting get their turn, and a stopping server ends the pass there.
  const betweenPages = async () => {
    await (options.betweenPages ?? nextTurn)();
    options.signal?.throwIfAborted();
  };
  let rewritten = 0;
  let conflicts = 0;
  for (let pass = 0; pass < PASSES; pass++) {
    const report = await encrypting.reencryptAll(betweenPages);
    rewritten += report.rewritten;
    conflicts = report.conflicts;
    if (conflicts === 0) break;
  }
  if (conflicts === 0) {
    const record: SealingRecord = {
      id: LAST_PASS,
      rev: last?.rev ?? 0,
      ...wanted,
      at: (options.now ?? Date.now)(),
    };
    // Another node may have recorded the same pass meanwhile: its record says the same.
    await raw.put(SEALING, record, record.rev).catch((err: unknown) => {
      if ((err as { code?: string }).code !== 'conflict') throw err;
    });
  }
  return { ran: true, rewritten, conflicts };
}
