/**
 * The national algorithms (国密) for data at rest, chosen with ONETHING_CIPHER=sm4: sensitive
 * values sealed with SM4 (CTR) and an HMAC-SM3 tag, blind-index hashes by HMAC-SM3, files with
 * the same (test/security/upload-encryption.test.ts runs every file case under both ciphers).
 * What AES sealed before stays readable; the sealing pass on start moves it to SM4. A changed
 * byte, a value moved to another record, or a wrong key is refused as under AES.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AEADS, openOnce, sealOnce } from '../../forms/src/crypto/aead.js';
import { MemoryDocStore, type Doc, type DocStore } from '../../engine/src/domain/docs.js';
import { DOC_INDEXES } from '../../engine/src/domain/open-docs.js';
import { createLogger } from '../../engine/src/http/logging.js';
import { blindHash } from '../../engine/src/security/blind-index.js';
import { generateDataKey, keyring, type DataKey } from '../../engine/src/security/data-key.js';
import {
  DecryptionError,
  EncryptingDocStore,
  decryptValue,
  defaultEncryptionPolicy,
  encryptValue,
  sealedKeyIds,
} from '../../engine/src/security/encryption.js';
import { SEALING, resealIfStale, type SealingRecord } from '../../engine/src/security/reseal.js';
import { start } from '../../engine/src/server.js';
import { withRawDocs } from '../support/raw-docs.js';

const ID_NUMBER = '440402199003071232';
const PATH = ['applicant', 'idNumber'];

const sealing = (raw: DocStore, key: DataKey, cipher: 'aes' | 'sm4') =>
  new EncryptingDocStore(raw, keyring(key, [], 'given', cipher), defaultEncryptionPolicy(), DOC_INDEXES);

type Licence = Doc & { holderId: string; holderKey?: string };
const licence = (id: string): Licence & Record<string, unknown> => ({
  id,
  rev: 0,
  holderId: ID_NUMBER,
  typeCode: 'birth-certificate',
  signed: { licence: { holderId: ID_NUMBER, data: {} } },
});

describe('SM4 with HMAC-SM3', () => {
  const key = generateDataKey().key;
  const aad = Buffer.from('applications/a1/applicant.idNumber');
  const sm4 = AEADS.sm4;

  it('opens what it sealed, and the ciphertext does not hold the plaintext', () => {
    const plain = Buffer.from(ID_NUMBER);
    const nonce = Buffer.alloc(sm4.nonceBytes, 7);
    const payload = sealOnce(sm4, key, nonce, aad, plain);
    expect(payload.length).toBe(sm4.nonceBytes + plain.length + sm4.tagBytes);
    expect(payload.includes(plain)).toBe(false);
    expect(openOnce(sm4, key, aad, payload).equals(plain)).toBe(true);
    // A chunked seal gives the same bytes as one shot (files are sealed a chunk at a time).
    const s = sm4.sealer(key, nonce, aad);
    const parts = [s.update(plain.subarray(0, 5)), s.update(plain.subarray(5))];
    const { rest, tag } = s.final();
    expect(Buffer.concat([nonce, ...parts, rest, tag]).equals(payload)).toBe(true);
  });

  it.each([
    ['a ciphertext byte', (p: Buffer) => p.fill(p[20]! ^ 1, 20, 21), aad],
    ['a tag byte', (p: Buffer) => p.fill(p[p.length - 1]! ^ 1, p.length - 1), aad],
    ['the nonce', (p: Buffer) => p.fill(p[0]! ^ 1, 0, 1), aad],
    [
      'the additional data (another record)',
      (p: Buffer) => p,
      Buffer.from('applications/a2/applicant.idNumber'),
    ],
  ])('refuses a payload when %s changed', (_what, change, readAad) => {
    const payload = sealOnce(sm4, key, Buffer.alloc(sm4.nonceBytes, 1), aad, Buffer.from(ID_NUMBER));
    expect(() => openOnce(sm4, key, readAad, change(Buffer.from(payload)))).toThrow(/HMAC-SM3 tag/);
  });

  it('refuses under another data key', () => {
    const payload = sealOnce(sm4, key, Buffer.alloc(sm4.nonceBytes, 1), aad, Buffer.from(ID_NUMBER));
    expect(() => openOnce(sm4, generateDataKey().key, aad, payload)).toThrow(/HMAC-SM3 tag/);
  });
});

describe('sensitive fields under ONETHING_CIPHER=sm4', () => {
  it('are sealed as version 2, read back, and refused when moved or changed', () => {
    const key = generateDataKey();
    const keys = keyring(key, [], 'given', 'sm4');
    const sealed = encryptValue(keys, 'applications', 'a1', PATH, ID_NUMBER);
    expect(sealed.startsWith(`$oenc$2$${key.id}$`)).toBe(true);
    expect(decryptValue(keys, 'applications', 'a1', PATH, sealed)).toBe(ID_NUMBER);
    expect(() => decryptValue(keys, 'applications', 'a2', PATH, sealed)).toThrow(DecryptionError);
    const changed = `${sealed.slice(0, -2)}${sealed.endsWith('A') ? 'B' : 'A'}${sealed.slice(-1)}`;
    expect(() => decryptValue(keys, 'applications', 'a1', PATH, changed)).toThrow(/authentication failed/);
  });

  it('AES values stay readable beside SM4 ones, and the sealing pass moves them to SM4', async () => {
    const raw = new MemoryDocStore();
    const key = generateDataKey();
    const aes = sealing(raw, key, 'aes');
    await aes.put('licences', licence('L-aes'), 0);
    await resealIfStale(raw, aes, { betweenPages: async () => {} });

    const sm4 = sealing(raw, key, 'sm4');
    await sm4.put('licences', licence('L-sm4'), 0);
    const ids = async () =>
      (await sm4.find<Licence>('licences', { where: { holderId: ID_NUMBER } })).map((d) => d.id);
    // Found by holder whichever hash its index holds (HMAC-SHA-256 before, HMAC-SM3 now).
    expect(await ids()).toEqual(['L-aes', 'L-sm4']);
    const stored = (id: string) => raw.get<Licence>('licences', id);
    expect((await stored('L-aes'))!.holderId.startsWith('$oenc$1$')).toBe(true);
    expect((await stored('L-sm4'))!.holderKey).toBe(
      blindHash(key.key, 'licences', 'holderId', ID_NUMBER, 'sm3'),
    );

    expect(await resealIfStale(raw, sm4, { betweenPages: async () => {} })).toMatchObject({
      ran: true,
      rewritten: 1,
      conflicts: 0,
    });
    const moved = (await stored('L-aes'))!;
    expect(moved.holderId.startsWith(`$oenc$2$${key.id}$`)).toBe(true);
    expect(moved.holderKey).toBe(blindHash(key.key, 'licences', 'holderId', ID_NUMBER, 'sm3'));
    expect(await ids()).toEqual(['L-aes', 'L-sm4']);
    expect(await raw.get<SealingRecord>(SEALING, 'last-pass')).toMatchObject({ cipher: 'sm4' });
  });
});

it('a store holding only SM4 values tells which key sealed them (no new key beside them on a restore)', async () => {
  const raw = new MemoryDocStore();
  const key = generateDataKey();
  await sealing(raw, key, 'sm4').put('licences', licence('L-1'), 0);
  expect(await sealedKeyIds(raw)).toEqual([key.id]);
});

describe('the server with ONETHING_CIPHER=sm4', () => {
  it('seals on start, under SM4, what AES sealed before', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'onething-sm4-'));
    const db = join(dir, 'onething.db');
    const key = generateDataKey();
    await withRawDocs(db, (raw) => sealing(raw, key, 'aes').put('licences', licence('L-1'), 0));
    const running = await start(
      {
        ONETHING_DATA_DIR: dir,
        ONETHING_DB: db,
        ONETHING_DATA_KEY: key.key.toString('base64'),
        ONETHING_CIPHER: 'sm4',
        ONETHING_EXAMPLES_DIR: join(dir, 'none'),
        PORT: '0',
        HOST: '127.0.0.1',
      },
      createLogger({ level: 'silent' }),
    );
    try {
      let record: SealingRecord | undefined;
      for (let i = 0; i < 200 && !record; i++) {
        await new Promise((ok) => setTimeout(ok, 25));
        record = await withRawDocs(db, (raw) => raw.get<SealingRecord>(SEALING, 'last-pass'));
      }
      expect(record).toMatchObject({ cipher: 'sm4', keyId: key.id });
    } finally {
      await running.stop();
    }
    const stored = await withRawDocs(db, (raw) => raw.get<Licence>('licences', 'L-1'));
    expect(stored!.holderId.startsWith(`$oenc$2$${key.id}$`)).toBe(true);
  });

  it('refuses to start with an unknown cipher, naming the variable', async () => {
    await expect(
      start({ ONETHING_CIPHER: 'des', PORT: '0', HOST: '127.0.0.1' }, createLogger({ level: 'silent' })),
    ).rejects.toThrow(/ONETHING_CIPHER must be one of aes, sm4; got "des"/);
  });
});
