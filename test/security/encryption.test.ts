/**
 * Encryption at rest: sensitive fields round-trip through EncryptingDocStore, are ciphertext in the
 * raw store (a plain SqliteDocStore reading the same file, and the file's bytes), fail loudly when
 * altered, moved or read with the wrong key, and survive key rotation.
 */
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Centre } from '../../engine/src/applications/centre.js';
import { workingTimeLimits } from '../../engine/src/applications/working-time.js';
import { MemoryDocStore, type Doc } from '../../engine/src/domain/docs.js';
import { SqliteDocStore } from '../../engine/src/domain/docs-sqlite.js';
import { DOC_INDEXES, openDocStore } from '../../engine/src/domain/open-docs.js';
import { UserDirectory } from '../../engine/src/http/auth/users.js';
import { aggregateService } from '../../engine/src/http/routers/aggregates.js';
import { createEngine } from '../../engine/src/index.js';
import {
  DataKeyError,
  generateDataKey,
  keyring,
  loadOrCreateDataKey,
  parseDataKey,
} from '../../engine/src/security/data-key.js';
import {
  SEALED_PREFIX,
  DecryptionError,
  EncryptingDocStore,
  checkPolicy,
  decryptValue,
  defaultEncryptionPolicy,
  encryptValue,
} from '../../engine/src/security/encryption.js';
import { openStore } from '../../engine/src/store/index.js';
import { ANSWERS, DATA, example } from '../http/centre-fixture.js';

const ID = '440402199003071232';
const ID2 = '11010519491231002X';
const PHONE = '13800138000';
const BANK = '6222020200112233445';

const application = (id: string) => ({
  id,
  rev: 0,
  status: 'draft',
  applicantUserId: 'applicant1',
  createdAt: 1,
  applicant: { kind: 'person', name: '张三', idNumber: ID, phone: PHONE },
  data: {
    companyName: '珠海市香洲区某某科技有限公司',
    legalRepIdNumber: ID,
    legalRepMobile: PHONE,
    investors: [{ name: '张三', idNumber: ID, subscribedAmount: 100 }],
    financeOfficer: { name: '李四', idNumber: ID2, mobile: '13912345678' },
    hrContact: { name: '王五', mobile: '13700001111' },
    // Not library fields: plain blocks, whose sensitive keys are sealed one by one.
    people: [{ name: '赵六', idNumber: ID2, role: 'partner' }],
    emergency: { name: '钱七', mobile: '13600002222' },
    bankAccount: BANK,
    registeredCapital: 100,
  },
});
type AppDoc = ReturnType<typeof application>;

const tmp = () => mkdtempSync(join(tmpdir(), 'onething-enc-'));
const ring = (k = generateDataKey(), retired: ReturnType<typeof generateDataKey>[] = []) =>
  keyring(k, retired);
const SECRETS = [ID, ID2, PHONE, '13912345678', '13700001111', '13600002222', BANK];

/** A business start-up with the applicant's ID number and phone, accepted at the window through `docs`. */
async function acceptedCase(engine: ReturnType<typeof createEngine>, docs: EncryptingDocStore) {
  const centre = new Centre({ engine, docs, timeLimits: workingTimeLimits() });
  const users = UserDirectory.fromFile();
  await centre.deployBundle(users.get('analyst1')!, example('business-startup'));
  const clerk = users.get('clerk1')!;
  const created = await centre.createApplication(clerk, {
    bundleCode: 'business-startup',
    answers: ANSWERS ?? {},
    data: DATA,
    applicant: { kind: 'person', name: '张三', idNumber: ID, phone: PHONE },
  });
  await centre.submit(clerk, created.id);
  const accepted = await centre.accept(clerk, created.id, {
    materials: [
      { id: 'identityProof', status: 'provided' },
      { id: 'premisesProof', status: 'provided' },
    ],
  });
  return { users, accepted };
}

function expectNoSecrets(text: string): void {
  for (const s of SECRETS) expect(text).not.toContain(s);
}

describe('EncryptingDocStore', () => {
  it('round-trips documents and stores sensitive paths as ciphertext, the rest as it was', async () => {
    const inner = new MemoryDocStore();
    const docs = new EncryptingDocStore(inner, ring(), defaultEncryptionPolicy(), DOC_INDEXES);
    const saved = await docs.put('applications', application('a1'), 0);
    expect(saved).toEqual({ ...application('a1'), rev: 1 });
    expect(await docs.get('applications', 'a1')).toEqual(saved);
    expect(
      await docs.find('applications', { where: { status: 'draft', applicantUserId: 'applicant1' } }),
    ).toEqual([saved]);
    expect(await docs.count('applications', { status: 'draft' })).toBe(1);

    const raw = (await inner.get<AppDoc>('applications', 'a1'))!;
    expectNoSecrets(JSON.stringify(raw));
    expect(raw.applicant.idNumber).toMatch(/^\$oenc\$1\$[0-9a-f]{8}\$[A-Za-z0-9_-]+$/);
    expect(raw.data.investors).toMatch(/^\$oenc\$/); // a sensitive block or list is sealed whole
    expect(raw.data.financeOfficer).toMatch(/^\$oenc\$/);
    expect(raw.data.people[0]!.idNumber).toMatch(/^\$oenc\$/); // sensitive keys inside plain blocks
    expect(raw.data.emergency.mobile).toMatch(/^\$oenc\$/);
    expect(raw.data.people[0]!.name).toBe('赵六');
    expect(raw.data.emergency.name).toBe('钱七');
    expect(raw.data.companyName).toBe('珠海市香洲区某某科技有限公司');
    expect(raw.applicant.name).toBe('张三');
    expect(raw.status).toBe('draft');
    // Same value, fresh IV: no equality leak between fields or records.
    expect(raw.applicant.idNumber).not.toBe(raw.data.legalRepIdNumber);

    // replace() (projections) seals too; collections without a policy pass through untouched.
    await docs.replace('applications', { ...saved, rev: 7 });
    expectNoSecrets(JSON.stringify(await inner.get('applications', 'a1')));
    await docs.put('bundles', { id: 'b', rev: 0, idNumber: ID }, 0);
    expect(JSON.stringify(await inner.get('bundles', 'b'))).toContain(ID);
  });

  it('on SQLite, the raw rows and the database file hold no ID number, phone or bank account', async () => {
    const file = join(tmp(), 'enc.db');
    const sqlite = new SqliteDocStore(file, DOC_INDEXES);
    const docs = new EncryptingDocStore(sqlite, ring(), defaultEncryptionPolicy(), DOC_INDEXES);
    for (let i = 0; i < 20; i++) await docs.put('applications', application(`a${i}`), 0);
    const saved = (await docs.get<AppDoc>('applications', 'a3'))!;
    await docs.put('applications', { ...saved, status: 'submitted' }, saved.rev);
    expect(
      (await docs.find<AppDoc>('applications', { where: { status: 'submitted' } })).map(
        (d) => d.applicant.idNumber,
      ),
    ).toEqual([ID]);
    docs.close();

    const plain = new SqliteDocStore(file, DOC_INDEXES);
    const rows = await plain.find<AppDoc>('applications');
    expect(rows).toHaveLength(20);
    for (const row of rows) {
      expectNoSecrets(JSON.stringify(row));
      expect(row.applicant.idNumber.startsWith(SEALED_PREFIX)).toBe(true);
    }
    plain.close();
    // The log first: the checkpoint worker may still copy it into the file and remove it meanwhile.
    const bytes = [`${file}-wal`, file].map(readIfThere).join('');
    expect(bytes).toContain('companyName'); // the file is readable…
    expectNoSecrets(bytes); // …but not the sensitive values
  });

  it('an altered ciphertext is a clear error naming the record and field', async () => {
    const inner = new MemoryDocStore();
    const docs = new EncryptingDocStore(inner, ring());
    await docs.put('applications', application('a1'), 0);
    const raw = (await inner.get<AppDoc>('applications', 'a1'))!;
    const c = raw.applicant.idNumber;
    const flipped = c.slice(0, -6) + (c.at(-6) === 'A' ? 'B' : 'A') + c.slice(-5);
    await inner.replace('applications', { ...raw, applicant: { ...raw.applicant, idNumber: flipped } });
    const err = await docs.get('applications', 'a1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DecryptionError);
    expect((err as DecryptionError).reason).toBe('tampered');
    expect((err as Error).message).toMatch(
      /applications\/a1 field applicant\.idNumber: authentication failed/,
    );

    await inner.replace('applications', {
      ...raw,
      applicant: { ...raw.applicant, idNumber: `${SEALED_PREFIX}1$zz` },
    });
    await expect(docs.get('applications', 'a1')).rejects.toThrow(/ciphertext is malformed/);
    // A version that is no cipher's, even one named like an object's own key.
    await inner.replace('applications', {
      ...raw,
      applicant: { ...raw.applicant, idNumber: `${SEALED_PREFIX}constructor$deadbeef$${'A'.repeat(80)}` },
    });
    await expect(docs.get('applications', 'a1')).rejects.toThrow(/ciphertext is malformed/);
  });

  it('every value gets its own random IV, across refills of the IV pool', () => {
    const keys = ring();
    const ivs = new Set<string>();
    for (let i = 0; i < 1000; i++) {
      const sealed = encryptValue(keys, 'applications', 'a1', ['applicant', 'phone'], PHONE);
      const payload = Buffer.from(sealed.slice(sealed.lastIndexOf('$') + 1), 'base64url');
      ivs.add(payload.subarray(0, 12).toString('hex'));
      expect(decryptValue(keys, 'applications', 'a1', ['applicant', 'phone'], sealed)).toBe(PHONE);
    }
    expect(ivs.size).toBe(1000);
  });

  it('a ciphertext moved to another record or field does not decrypt', async () => {
    const inner = new MemoryDocStore();
    const docs = new EncryptingDocStore(inner, ring());
    await docs.put('applications', application('a1'), 0);
    await docs.put(
      'applications',
      { ...application('a2'), applicant: { ...application('a2').applicant, idNumber: ID2 } },
      0,
    );
    const a1 = (await inner.get<AppDoc>('applications', 'a1'))!;
    const a2 = (await inner.get<AppDoc>('applications', 'a2'))!;
    await inner.replace('applications', {
      ...a2,
      applicant: { ...a2.applicant, idNumber: a1.applicant.idNumber },
    });
    await expect(docs.get('applications', 'a2')).rejects.toThrow(
      /applications\/a2 field applicant\.idNumber: authentication failed/,
    );
    await inner.replace('applications', {
      ...a1,
      applicant: { ...a1.applicant, phone: a1.applicant.idNumber },
    });
    await expect(docs.get('applications', 'a1')).rejects.toThrow(/field applicant\.phone/);
  });

  it('the wrong key is a clear error that names the key id it needs', async () => {
    const inner = new MemoryDocStore();
    const right = generateDataKey();
    await new EncryptingDocStore(inner, ring(right)).put('applications', application('a1'), 0);
    const wrong = new EncryptingDocStore(inner, ring());
    const err = await wrong.get('applications', 'a1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DecryptionError);
    expect((err as DecryptionError).reason).toBe('unknown-key');
    expect((err as Error).message).toContain(`data key ${right.id}`);
    expect((err as Error).message).toContain('ONETHING_DATA_KEY');
    await expect(wrong.find('applications')).rejects.toThrow(DecryptionError);
  });

  it('keys rotate: old values read under a retired key and reencryptAll moves them to the new one', async () => {
    const inner = new MemoryDocStore();
    const k1 = generateDataKey();
    const k2 = generateDataKey();
    await new EncryptingDocStore(inner, ring(k1)).put('applications', application('a1'), 0);
    await inner.put('applications', application('legacy'), 0); // plain, from before encryption
    const rotated = new EncryptingDocStore(inner, ring(k2, [k1]));
    expect((await rotated.get<AppDoc>('applications', 'a1'))!.applicant.idNumber).toBe(ID);
    expect((await rotated.get<AppDoc>('applications', 'legacy'))!.applicant.idNumber).toBe(ID);
    expect(await rotated.reencryptAll()).toEqual({ rewritten: 2, conflicts: 0 });
    expect(await rotated.reencryptAll()).toEqual({ rewritten: 0, conflicts: 0 });
    expectNoSecrets(JSON.stringify(await inner.find('applications')));
    const onlyNew = new EncryptingDocStore(inner, ring(k2));
    expect((await onlyNew.get<AppDoc>('applications', 'legacy'))!.data.bankAccount).toBe(BANK);
    expect((await onlyNew.get<AppDoc>('applications', 'a1'))!.data.people[0]!.idNumber).toBe(ID2);
  });

  it("an assisted-service agent's ID number and phone are sealed, and reencryptAll seals those stored before", async () => {
    const AGENT_ID = '440403198505051233';
    const AGENT_PHONE = '13655556666';
    const assisted = (id: string) => ({
      ...application(id),
      assisted: {
        mode: 'proxy',
        agent: {
          name: '黄帮办',
          idNumber: AGENT_ID,
          phone: AGENT_PHONE,
          relationship: 'staff',
          staffId: 'GC-007',
        },
        reason: '申请人年迈',
      },
    });
    type Assisted = ReturnType<typeof assisted>;
    const inner = new MemoryDocStore();
    const key = ring();
    const docs = new EncryptingDocStore(inner, key, defaultEncryptionPolicy(), DOC_INDEXES);
    await docs.put('applications', assisted('a1'), 0);
    // Stored by the policy before this one: the applicant's numbers sealed, the agent's in clear.
    const policy = defaultEncryptionPolicy();
    const before = {
      ...policy,
      applications: { ...policy.applications, paths: ['applicant.idNumber', 'applicant.phone'] },
    };
    await new EncryptingDocStore(inner, key, before, DOC_INDEXES).put('applications', assisted('legacy'), 0);
    expect(JSON.stringify(await inner.get('applications', 'legacy'))).toContain(AGENT_ID);
    const raw = (await inner.get<Assisted>('applications', 'a1'))!;
    expect(raw.assisted.agent.idNumber).toMatch(/^\$oenc\$/);
    expect(raw.assisted.agent.phone).toMatch(/^\$oenc\$/);
    expect(raw.assisted.agent.name).toBe('黄帮办');
    expect((await docs.get<Assisted>('applications', 'a1'))!.assisted.agent).toMatchObject({
      idNumber: AGENT_ID,
      phone: AGENT_PHONE,
    });

    expect(await docs.reencryptAll()).toEqual({ rewritten: 1, conflicts: 0 });
    const everything = JSON.stringify(await inner.find('applications'));
    expect(everything).not.toContain(AGENT_ID);
    expect(everything).not.toContain(AGENT_PHONE);
    expect((await docs.get<Assisted>('applications', 'legacy'))!.assisted.agent).toMatchObject({
      idNumber: AGENT_ID,
      phone: AGENT_PHONE,
    });
  });

  it('never encrypts what queries filter on', async () => {
    expect(() => checkPolicy({ applications: { paths: ['status'] } }, DOC_INDEXES)).toThrow(
      /status, which queries filter/,
    );
    expect(() => checkPolicy({ audit: { paths: ['id'] } })).toThrow(/id/);
    expect(() => checkPolicy(defaultEncryptionPolicy(), DOC_INDEXES)).not.toThrow();
    const docs = new EncryptingDocStore(new MemoryDocStore(), ring());
    await expect(docs.find('idempotency', { where: { response: 'x' } })).rejects.toThrow(/encrypted at rest/);
  });

  it('the service centre works on an encrypted SQLite store, which holds no ID number', async () => {
    const file = join(tmp(), 'centre.db');
    const store = await openStore({ ONETHING_DB: file });
    const docs = new EncryptingDocStore(
      await openDocStore(store),
      ring(),
      defaultEncryptionPolicy(),
      DOC_INDEXES,
    );
    const { accepted } = await acceptedCase(createEngine({ store }), docs);
    expect(accepted.status).toBe('in-progress');
    const read = await docs.get<AppDoc>('applications', accepted.id);
    expect(read!.applicant.idNumber).toBe(ID);
    expect(read!.data.legalRepIdNumber).toBe(ID);
    await store.close();
    docs.close();
    const plain = new SqliteDocStore(file);
    const everything =
      JSON.stringify(await plain.find('applications')) + JSON.stringify(await plain.find('departmentTasks'));
    plain.close();
    expectNoSecrets(everything);
    expect(everything).toContain('"status":"in-progress"');
    // The log first: the checkpoint worker may still copy it into the file and remove it meanwhile.
    const bytes = [`${file}-wal`, file].map(readIfThere).join('');
    expectNoSecrets(bytes); // nor anywhere else in the file: engine records, audit, projections
  });
});

describe('the supervisor figures', () => {
  it('come from the sealed documents, as they would from decrypted ones', async () => {
    const stored = new MemoryDocStore();
    const docs = new EncryptingDocStore(stored, ring());
    const engine = createEngine();
    const { users } = await acceptedCase(engine, docs);
    expectNoSecrets(JSON.stringify(await stored.find('applications')));
    const clock = () => 1;
    const supervisor = users.get('supervisor1')!;
    const fromSealed = await aggregateService({ sealedDocs: stored, engine, clock }).report(supervisor, {});
    const fromOpened = await aggregateService({ sealedDocs: docs, engine, clock }).report(supervisor, {});
    expect(fromSealed.applications).toBe(1);
    expect(fromSealed.accepted).toBe(1);
    expect(fromSealed).toEqual(fromOpened);
  });
});

describe('loadOrCreateDataKey', () => {
  it('generates data/data.key once (mode 0600) with a warning, then reads it', () => {
    const dir = join(tmp(), 'data');
    const warnings: string[] = [];
    const first = loadOrCreateDataKey(dir, {}, (m) => warnings.push(m));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/no ONETHING_DATA_KEY: generated a data encryption key into .*data\.key/);
    expect(statSync(join(dir, 'data.key')).mode & 0o777).toBe(0o600);
    const second = loadOrCreateDataKey(dir, {}, (m) => warnings.push(m));
    expect(warnings).toHaveLength(1);
    expect(second.current.key.equals(first.current.key)).toBe(true);
    expect(second.source).toBe(join(dir, 'data.key'));
  });

  it('takes ONETHING_DATA_KEY and retired keys from the environment, and refuses malformed keys', () => {
    const dir = tmp();
    const k = generateDataKey();
    const old = generateDataKey();
    const ring = loadOrCreateDataKey(dir, {
      ONETHING_DATA_KEY: k.key.toString('base64'),
      ONETHING_DATA_KEYS_RETIRED: ` ${old.key.toString('base64url')} `,
    });
    expect(ring.current.id).toBe(k.id);
    expect([...ring.byId.keys()].sort()).toEqual([k.id, old.id].sort());
    expect(ring.source).toBe('env');
    expect(existsSync(join(dir, 'data.key'))).toBe(false);
    expect(() => loadOrCreateDataKey(dir, { ONETHING_DATA_KEY: 'c2hvcnQ=' })).toThrow(
      /decodes to 5 bytes; AES-256 needs exactly 32/,
    );
    expect(() => loadOrCreateDataKey(dir, { ONETHING_DATA_KEY: 'not base64!' })).toThrow(DataKeyError);
    expect(() => parseDataKey(' ', 'x')).toThrow(/x is not base64/);
  });
});

/** A file's bytes as latin1 text, or nothing when it is not (or no longer) there. */
function readIfThere(file: string): string {
  try {
    return readFileSync(file).toString('latin1');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw err;
  }
}

describe('a value that only looks sealed', () => {
  it('is sealed like any other, read back as typed, and leaves the record readable', async () => {
    const inner = new MemoryDocStore();
    const docs = new EncryptingDocStore(inner, keyring(generateDataKey()), defaultEncryptionPolicy());
    const typed = '$oenc$1$deadbeef$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
    await docs.put('applications', { id: 'a1', rev: 0, applicant: { idNumber: typed, phone: PHONE } }, 0);
    const raw = await inner.get<Doc & { applicant: { idNumber: string } }>('applications', 'a1');
    expect(raw!.applicant.idNumber).not.toBe(typed);
    expect(raw!.applicant.idNumber.startsWith(SEALED_PREFIX)).toBe(true);
    const read = await docs.get<Doc & { applicant: { idNumber: string; phone: string } }>(
      'applications',
      'a1',
    );
    expect(read!.applicant).toEqual({ idNumber: typed, phone: PHONE });
    // A sealed value written back as read raw stays as it is, and still reads as its plaintext
    // (through a store that has not seen it: nothing remembered).
    const ring = (docs as unknown as { keys: ReturnType<typeof keyring> }).keys;
    const fresh = new EncryptingDocStore(inner, ring, defaultEncryptionPolicy());
    await fresh.replace('applications', { ...raw!, rev: 1 });
    expect((await inner.get<NonNullable<typeof raw>>('applications', 'a1'))!.applicant.idNumber).toBe(
      raw!.applicant.idNumber,
    );
    expect((await fresh.get<NonNullable<typeof read>>('applications', 'a1'))!.applicant.idNumber).toBe(typed);
  });
});
