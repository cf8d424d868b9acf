/**
 * An item result declared sensitive (newborn: the child's birth certificate number) is sealed at
 * rest wherever it is stored — the item, the approval and delivery entries of the case, and the
 * data of the e-licence the approval issues, whose holder (the parent's ID number) is sealed too —
 * and reads whole through the store for whoever may see it; the licence still verifies. The
 * licence's sensitive form fields (the child's) are sealed too; what is not sensitive (the
 * mother's name, the output's label) is stored as it was.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteDocStore } from '../../engine/src/domain/docs-sqlite.js';
import { DOC_INDEXES } from '../../engine/src/domain/open-docs.js';
import { generateDataKey, keyring } from '../../engine/src/security/data-key.js';
import {
  SEALED_PREFIX,
  EncryptingDocStore,
  defaultEncryptionPolicy,
} from '../../engine/src/security/encryption.js';
import { LICENCES, type LicenceDoc } from '../../engine/src/applications/licence-library.js';
import { APPLICATIONS } from '../../engine/src/applications/centre.js';
import type { Application } from '../../engine/src/applications/types.js';
import { acceptedAtWindow } from '../../engine/src/testing/accepted-case.js';
import { T0, analyst, clerk, dept, example, memoryCentre } from '../../engine/src/testing/centre-fixtures.js';

const CERT_NO = 'Q440567890';
const CERTIFICATE = 'birth-certificate';

async function certificateHandedOver() {
  const file = join(mkdtempSync(join(tmpdir(), 'onething-sealed-')), 'docs.db');
  const docs = new EncryptingDocStore(
    new SqliteDocStore(file, DOC_INDEXES),
    keyring(generateDataKey()),
    defaultEncryptionPolicy(),
    DOC_INDEXES,
  );
  const { centre } = memoryCentre({ docs });
  await centre.deployBundle(analyst, example('newborn'));
  const app = await acceptedAtWindow(centre, 'newborn');
  await centre.approve(dept('hospital'), `${app.id}:${CERTIFICATE}`, { outputs: { birthCertNo: CERT_NO } });
  await centre.deliver(clerk, app.id, { channel: 'window', items: [CERTIFICATE] });
  return { centre, docs, file, id: app.id };
}

/** The certificate number in each place the case stores it: the item, the approval, the batch. */
function storedNumbers(app: Application): unknown[] {
  const approval = app.timeline.find((e) => e.type === 'task.approved' && e.data?.item === CERTIFICATE);
  const batch = app.timeline.find((e) => e.type === 'delivered.batch');
  const results = batch!.data!.results as { item: string; outputs: { value: string }[] }[];
  return [
    app.items.find((i) => i.item === CERTIFICATE)!.outputs![0]!.value,
    (approval!.data!.outputs as { value: string }[])[0]!.value,
    results.find((r) => r.item === CERTIFICATE)!.outputs[0]!.value,
  ];
}

it('is ciphertext in the case and licence rows and nowhere in the file, and whole through the store', async () => {
  const { centre, docs, file, id } = await certificateHandedOver();
  const [licence] = await docs.find<LicenceDoc>(LICENCES, { where: { applicationId: id } });
  // The child's own fields are sensitive in the unified form (children's data), the number by its declaration.
  expect(licence!.sealedKeys).toEqual(['babyName', 'babyGender', 'babyBirthTime', 'birthCertNo']);
  expect(licence!.signed.licence.data.birthCertNo).toBe(CERT_NO);
  expect(
    await centre.licences.verifyFor(
      licence!.id,
      { id: 'birthProof', eLicenceType: 'birth-certificate' },
      [licence!.holderId],
      T0,
    ),
  ).toBeNull();
  const app = (await docs.get<Application>(APPLICATIONS, id))!;
  expect(storedNumbers(app)).toEqual([CERT_NO, CERT_NO, CERT_NO]);
  // The holder is the applicant (an ID number), sealed and still found by it.
  const holder = app.applicant.idNumber;
  expect(licence!.holderId).toBe(holder);
  expect((await centre.listLicences(clerk, holder)).map((l) => l.id)).toContain(licence!.id);
  docs.close();

  const plain = new SqliteDocStore(file, DOC_INDEXES);
  const rawCase = (await plain.get<Application>(APPLICATIONS, id))!;
  const rawLicence = (await plain.get<LicenceDoc>(LICENCES, licence!.id))!;
  plain.close();
  for (const value of storedNumbers(rawCase)) expect(String(value).startsWith(SEALED_PREFIX)).toBe(true);
  expect(String(rawLicence.signed.licence.data.birthCertNo).startsWith(SEALED_PREFIX)).toBe(true);
  // Only the sensitive value: the label and the licence's other data are as they were.
  expect(rawCase.items.find((i) => i.item === CERTIFICATE)!.outputs![0]!.label.zh).toBe('出生医学证明编号');
  expect(String(rawLicence.signed.licence.data.babyName).startsWith(SEALED_PREFIX)).toBe(true);
  expect(rawLicence.signed.licence.data.motherName).toBe(licence!.signed.licence.data.motherName);
  expect(rawLicence.signed.licence.data.motherName).toBeTruthy();
  const bytes = [`${file}-wal`, file].map((f) => (existsSync(f) ? readFileSync(f, 'latin1') : '')).join('');
  expect(bytes).not.toContain(CERT_NO);
  expect(bytes).not.toContain(holder);
});
