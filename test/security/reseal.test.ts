/**
 * What an earlier version left in clear (a licence's holder, sealed since session 17) or a
 * rotated key left under the retired one is sealed by the server itself, in the background, once
 * per policy and key: no operator has to remember `onething-admin reencrypt`.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryDocStore, type Doc, type DocStore } from '../../engine/src/domain/docs.js';
import { DOC_INDEXES } from '../../engine/src/domain/open-docs.js';
import { createLogger } from '../../engine/src/http/logging.js';
import { generateDataKey, keyring, type DataKey } from '../../engine/src/security/data-key.js';
import {
  EncryptingDocStore,
  defaultEncryptionPolicy,
  policyDigest,
} from '../../engine/src/security/encryption.js';
import { SEALING, resealIfStale, type SealingRecord } from '../../engine/src/security/reseal.js';
import { start } from '../../engine/src/server.js';
import { withRawDocs } from '../support/raw-docs.js';

const HOLDER = '440402199003071232';
const APPLICANT = '110101199003074211';

const licence = (id: string): Doc & Record<string, unknown> => ({
  id,
  rev: 0,
  holderId: HOLDER,
  typeCode: 'birth-certificate',
  signed: { licence: { holderId: HOLDER, data: {} } },
});
const application = (id: string): Doc & Record<string, unknown> => ({
  id,
  rev: 0,
  status: 'draft',
  applicant: { idNumber: APPLICANT },
});

const sealing = (raw: DocStore, key: DataKey) =>
  new EncryptingDocStore(raw, keyring(key), defaultEncryptionPolicy(), DOC_INDEXES);
const retiring = (raw: DocStore, key: DataKey, retired: DataKey) =>
  new EncryptingDocStore(raw, keyring(key, [retired]), defaultEncryptionPolicy(), DOC_INDEXES);

/** The raw documents of the policy's collections as one text. */
async function rawText(raw: DocStore): Promise<string> {
  const docs = await Promise.all(['applications', 'licences'].map((c) => raw.find(c)));
  return JSON.stringify(docs);
}

const instantly = async () => {};

describe('resealIfStale', () => {
  it('seals what was stored in clear and records the pass; the next start reads nothing', async () => {
    const raw = new MemoryDocStore();
    await raw.put('licences', licence('L-1'), 0); // stored before the holder was sealed
    await raw.put('applications', application('A-1'), 0); // stored before encryption
    const key = generateDataKey();
    const docs = sealing(raw, key);

    const first = await resealIfStale(raw, docs, { betweenPages: instantly, now: () => 1_000 });
    expect(first).toEqual({ ran: true, rewritten: 2, conflicts: 0 });
    const text = await rawText(raw);
    expect(text).not.toContain(HOLDER);
    expect(text).not.toContain(APPLICANT);
    expect(await raw.get<SealingRecord>(SEALING, 'last-pass')).toMatchObject({
      policy: policyDigest(defaultEncryptionPolicy()),
      keyId: key.id,
      at: 1_000,
    });
    // Read back through encryption as they were, and found by the holder.
    expect((await docs.find('licences', { where: { holderId: HOLDER } })).map((d) => d.id)).toEqual(['L-1']);

    // A document left in clear now (as by an older process) is not looked for: the pass is done.
    await raw.put('licences', licence('L-2'), 0);
    expect(await resealIfStale(raw, docs, { betweenPages: instantly })).toEqual({
      ran: false,
      rewritten: 0,
      conflicts: 0,
    });
    expect(await rawText(raw)).toContain(HOLDER);
  });

  it('after a key rotation, moves every sealed value to the new key', async () => {
    const raw = new MemoryDocStore();
    const old = generateDataKey();
    const docs = sealing(raw, old);
    await docs.put('licences', licence('L-1'), 0);
    await docs.put('applications', application('A-1'), 0);
    await resealIfStale(raw, docs, { betweenPages: instantly });

    const key = generateDataKey();
    const rotated = retiring(raw, key, old);
    expect(await resealIfStale(raw, rotated, { betweenPages: instantly })).toEqual({
      ran: true,
      rewritten: 2,
      conflicts: 0,
    });
    const text = await rawText(raw);
    expect(text).toContain(`$${key.id}$`);
    expect(text).not.toContain(`$${old.id}$`);
    // Readable with the new key alone: the retired one is no longer needed.
    const found = await sealing(raw, key).get<Doc & { applicant: { idNumber: string } }>(
      'applications',
      'A-1',
    );
    expect(found?.applicant.idNumber).toBe(APPLICANT);
  });

  it('a document a live write changes under every pass is left to the next start, unrecorded', async () => {
    const raw = new MemoryDocStore();
    await raw.put('applications', application('A-1'), 0);
    // Every rewrite of A-1 finds it changed since it was read: a clerk saving it meanwhile.
    const busy: DocStore = Object.assign(Object.create(raw) as DocStore, {
      async put<T extends Doc>(collection: string, doc: T, expectedRev: number): Promise<T> {
        const now = (await raw.get<T>(collection, doc.id))!;
        await raw.put(collection, now, now.rev);
        return raw.put(collection, doc, expectedRev);
      },
    });
    const docs = sealing(busy, generateDataKey());
    expect(await resealIfStale(raw, docs, { betweenPages: instantly })).toEqual({
      ran: true,
      rewritten: 0,
      conflicts: 1,
    });
    expect(await raw.get(SEALING, 'last-pass')).toBeUndefined();
    expect(await rawText(raw)).toContain(APPLICANT);
  });

  it('an abort ends the pass between two pages, and nothing is recorded', async () => {
    const raw = new MemoryDocStore();
    for (let i = 0; i < 450; i++)
      await raw.put('applications', application(`A-${String(i).padStart(3, '0')}`), 0);
    const stop = new AbortController();
    let pages = 0;
    const pass = resealIfStale(raw, sealing(raw, generateDataKey()), {
      signal: stop.signal,
      betweenPages: async () => {
        if (++pages === 1) stop.abort(new Error('stopping'));
      },
    });
    await expect(pass).rejects.toThrow('stopping');
    expect(pages).toBe(1);
    const plain = (await raw.find<Doc & { applicant: { idNumber: string } }>('applications')).filter(
      (d) => d.applicant.idNumber === APPLICANT,
    );
    expect(plain).toHaveLength(250); // the first page of 200 sealed, the rest not reached
    expect(await raw.get(SEALING, 'last-pass')).toBeUndefined();
  });
});

describe('policyDigest', () => {
  it('is the same for the same policy whatever the order of its sets, and differs when it seals more', () => {
    const a = { applications: { keyed: [{ under: 'data', keys: new Set(['idNumber', 'phone']) }] } };
    const b = { applications: { keyed: [{ under: 'data', keys: new Set(['phone', 'idNumber']) }] } };
    const c = {
      applications: { keyed: [{ under: 'data', keys: new Set(['phone', 'idNumber', 'bankAccount']) }] },
    };
    expect(policyDigest(a)).toBe(policyDigest(b));
    expect(policyDigest(c)).not.toBe(policyDigest(a));
  });
});

describe('the server', () => {
  it('on start, seals in the background what an earlier version stored in clear', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'onething-reseal-'));
    const db = join(dir, 'onething.db');
    const key = generateDataKey();
    const env = {
      ONETHING_DATA_DIR: dir,
      ONETHING_DB: db,
      ONETHING_DATA_KEY: key.key.toString('base64'),
      ONETHING_EXAMPLES_DIR: join(dir, 'none'),
      PORT: '0',
      HOST: '127.0.0.1',
    };
    const withRaw = <T>(run: (raw: DocStore) => Promise<T>) => withRawDocs(db, run);
    // As an older version left it: a licence with its holder in clear, no record of a pass.
    await withRaw((raw) => raw.put('licences', licence('L-1'), 0));

    const running = await start(env, createLogger({ level: 'silent' }));
    try {
      let record: SealingRecord | undefined;
      for (let i = 0; i < 200 && !record; i++) {
        await new Promise((ok) => setTimeout(ok, 25));
        record = await withRaw((raw) => raw.get<SealingRecord>(SEALING, 'last-pass'));
      }
      expect(record).toMatchObject({ keyId: key.id, policy: policyDigest(defaultEncryptionPolicy()) });
    } finally {
      await running.stop();
    }
    const stored = await withRaw((raw) =>
      raw.get<Doc & { holderId: string; holderKey?: unknown }>('licences', 'L-1'),
    );
    expect(stored?.holderId).toMatch(new RegExp(`^\\$oenc\\$1\\$${key.id}\\$`));
    expect(stored?.holderKey).toEqual(expect.any(String));
  });
});
