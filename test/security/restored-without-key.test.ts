/**
 * A data directory restored without its data key: no new key is generated beside data sealed
 * with another (every case would answer 500, new ones sealed apart). The server and
 * `onething-admin reencrypt` refuse to start, naming the key id and where a key comes from;
 * `onething-admin restore` says which key the restored data needs.
 */
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DOC_INDEXES, openDocStore } from '../../engine/src/domain/open-docs.js';
import { createLogger } from '../../engine/src/http/logging.js';
import { main } from '../../engine/src/security/admin-cli.js';
import { backupSqlite } from '../../engine/src/security/backup.js';
import { generateDataKey, keyring, openDataKeys, type DataKey } from '../../engine/src/security/data-key.js';
import { EncryptingDocStore } from '../../engine/src/security/encryption.js';
import { start } from '../../engine/src/server.js';
import { openStore } from '../../engine/src/store/index.js';
import { SEAL_MARKER } from '../../forms/src/uploads/index.js';
import { withRawDocs } from '../support/raw-docs.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'onething-nokey-'));
const base64 = (k: DataKey) => k.key.toString('base64');

/** A data directory whose database holds one case with its ID number sealed under `key`, and no data.key. */
async function sealedDataDir(key: DataKey = generateDataKey()): Promise<{ dir: string; key: DataKey }> {
  const dir = tmp();
  const store = await openStore({ ONETHING_DB: join(dir, 'onething.db') });
  const raw = await openDocStore(store);
  const docs = new EncryptingDocStore(raw, keyring(key), undefined, DOC_INDEXES);
  await docs.put(
    'applications',
    { id: 'A-1', rev: 0, status: 'draft', applicant: { idNumber: '110101199003074211' } },
    0,
  );
  await store.close();
  (raw as { close?: () => unknown }).close?.();
  return { dir, key };
}

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) } };
}

describe('openDataKeys', () => {
  it('refuses to generate a key for a store holding values sealed with another, naming it', async () => {
    const { dir, key } = await sealedDataDir();
    await expect(
      withRawDocs(join(dir, 'onething.db'), (docs) => openDataKeys(dir, {}, () => {}, docs)),
    ).rejects.toThrow(new RegExp(`sealed with data key ${key.id}.*ONETHING_DATA_KEY.*data\\.key`));
    expect(existsSync(join(dir, 'data.key'))).toBe(false);
  });

  it('opens with the key given, or with it retired (a new current key then seals new data)', async () => {
    const { dir, key } = await sealedDataDir();
    const given = await withRawDocs(join(dir, 'onething.db'), (docs) =>
      openDataKeys(dir, { ONETHING_DATA_KEY: base64(key) }, () => {}, docs),
    );
    expect(given.current.id).toBe(key.id);
    const warnings: string[] = [];
    const rotated = await withRawDocs(join(dir, 'onething.db'), (docs) =>
      openDataKeys(dir, { ONETHING_DATA_KEYS_RETIRED: base64(key) }, (m) => warnings.push(m), docs),
    );
    expect(rotated.current.id).not.toBe(key.id);
    expect(rotated.byId.has(key.id)).toBe(true);
    expect(warnings.join()).toMatch(/generated a data encryption key/);
  });

  it('generates the key on a first start (nothing sealed yet)', async () => {
    const dir = tmp();
    const keys = await withRawDocs(join(dir, 'onething.db'), (docs) => openDataKeys(dir, {}, () => {}, docs));
    expect(existsSync(join(dir, 'data.key'))).toBe(true);
    expect(keys.source).toBe(join(dir, 'data.key'));
  });

  it('sealed uploaded files count too', async () => {
    const dir = tmp();
    const key = generateDataKey();
    mkdirSync(join(dir, 'uploads', 'ab'), { recursive: true });
    writeFileSync(
      join(dir, 'uploads', 'ab', `ab${'0'.repeat(62)}.pdf`),
      Buffer.concat([SEAL_MARKER, Buffer.from(key.id), Buffer.alloc(40)]),
    );
    await expect(
      withRawDocs(join(dir, 'onething.db'), (docs) => openDataKeys(dir, {}, () => {}, docs)),
    ).rejects.toThrow(`sealed with data key ${key.id}`);
  });
});

describe('the server', () => {
  it('does not start on a data directory restored without its key', async () => {
    const { dir, key } = await sealedDataDir();
    const outcome = await start(
      { ONETHING_DATA_DIR: dir, ONETHING_EXAMPLES_DIR: join(dir, 'none'), PORT: '0', HOST: '127.0.0.1' },
      createLogger({ level: 'silent' }),
    ).then(
      async (running) => {
        await running.stop();
        return new Error('the server started');
      },
      (err: Error) => err,
    );
    expect(outcome.message).toMatch(
      new RegExp(`not starting: .*sealed with data key ${key.id}.*ONETHING_DATA_KEY`),
    );
    expect(existsSync(join(dir, 'data.key'))).toBe(false);
  });
});

describe('onething-admin', () => {
  it('restore says which data key the restored data needs when it is not here', async () => {
    const { dir, key } = await sealedDataDir();
    const backup = join(dir, 'monday.db');
    await backupSqlite(join(dir, 'onething.db'), backup);

    const fresh = tmp();
    const missing = io();
    expect(await main(['restore', backup], missing.io, { ONETHING_DATA_DIR: fresh })).toBe(0);
    expect(missing.err.join('\n')).toMatch(
      new RegExp(`warning: the server will not start: .*sealed with data key ${key.id}.*ONETHING_DATA_KEY`),
    );
    expect(JSON.parse(missing.out[0]!).dataKeys).toEqual({ inUse: [key.id], missing: [key.id] });

    const withKey = io();
    const env = { ONETHING_DATA_DIR: tmp(), ONETHING_DATA_KEY: base64(key) };
    expect(await main(['restore', backup], withKey.io, env)).toBe(0);
    expect(withKey.err).toEqual([]);
    expect(JSON.parse(withKey.out[0]!).dataKeys).toEqual({ inUse: [key.id], missing: [] });
  });

  it('reencrypt refuses where it would generate a key over sealed data', async () => {
    const { dir, key } = await sealedDataDir();
    const r = io();
    expect(await main(['reencrypt'], r.io, { ONETHING_DATA_DIR: dir })).toBe(1);
    expect(r.err.join('\n')).toContain(`sealed with data key ${key.id}`);
    expect(existsSync(join(dir, 'data.key'))).toBe(false);
  });
});
