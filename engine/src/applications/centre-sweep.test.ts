/**
 * The sweep (yellow/red colours, overdue 容缺 materials) goes on past a case it cannot read: one
 * record whose sealed field no longer decrypts (tampered, or sealed with a key this process does
 * not have) is logged by id and left, and every other open case is still swept.
 */
import { samples } from '../../../forms/src/testing/samples.js';
import { MemoryDocStore } from '../domain/docs.js';
import { DOC_INDEXES } from '../domain/open-docs.js';
import { createEngine } from '../index.js';
import { generateDataKey, keyring } from '../security/data-key.js';
import { defaultEncryptionPolicy, EncryptingDocStore } from '../security/encryption.js';
import { analyst, clerk, example, externalLicence, HOLDER, T0 } from '../testing/centre-fixtures.js';
import { APPLICATIONS, Centre } from './centre.js';
import type { Application } from './types.js';
import { workingTimeLimits } from './working-time.js';

const CODE = 'business-startup';
const DAY = 86_400_000;
const MATERIALS = [
  { id: 'identityProof', status: 'eLicence' as const, licenceId: 'resident-id-card:RID-1' },
  { id: 'premisesProof', status: 'provided' as const },
];

test('a case that no longer decrypts is logged and left; the other open cases are still swept', async () => {
  let now = T0;
  const clock = () => now;
  const inner = new MemoryDocStore();
  const docs = new EncryptingDocStore(
    inner,
    keyring(generateDataKey()),
    defaultEncryptionPolicy(),
    DOC_INDEXES,
  );
  const warnings: Record<string, unknown>[] = [];
  const centre = new Centre({
    engine: createEngine({ clock }),
    docs,
    timeLimits: workingTimeLimits(),
    clock,
    logger: { warn: (obj) => void warnings.push(obj) },
  });
  await centre.deployBundle(analyst, example(CODE));
  await externalLicence(centre, 'resident-id-card', 'RID-1');
  const { situation, ...data } = samples[CODE]!;
  const accepted = async () => {
    const app = await centre.createApplication(clerk, {
      bundleCode: CODE,
      answers: situation!,
      data,
      applicant: { kind: 'person', name: '张三', idNumber: HOLDER, phone: '13800138000', userId: 'zhangsan' },
    });
    return centre.accept(clerk, (await centre.submit(clerk, app.id)).id, { materials: MATERIALS });
  };
  const bad = await accepted();
  const good = await accepted();

  // One byte of the bad case's sealed phone changed in the store: it no longer decrypts.
  const stored = (await inner.get<Application>(APPLICATIONS, bad.id))!;
  const sealed = stored.applicant.phone!;
  expect(sealed).toMatch(/^\$oenc\$/);
  stored.applicant.phone = sealed.slice(0, -2) + (sealed.endsWith('A') ? 'B' : 'A') + sealed.slice(-1);
  await inner.replace(APPLICATIONS, stored);

  now += 20 * DAY; // far past the promised limit: both cases turn red
  const swept = await centre.sweep(now);
  expect(swept.recoloured).toBeGreaterThan(0);
  expect((await centre.getApplication(clerk, good.id)).timeStatus).toBe('red');
  expect(warnings).toEqual([expect.objectContaining({ caseId: bad.id, step: 'sweep' })]);
});
