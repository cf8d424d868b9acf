/**
 * An item result declared sensitive (newborn: the child's birth certificate number) is masked for
 * the window and supervisors wherever the case shows it (the item, the approval's timeline entry,
 * the delivery's results), as the same number in a sensitive form field is; the applicant, the
 * hospital that issued it and the police station that registers against it see it in full.
 */
import type { BundleDefinition } from '../../../forms/src/bundle/index.js';
import type { Actor } from '../domain/actor.js';
import { acceptedAtWindow } from '../testing/accepted-case.js';
import { analyst, applicantActor, clerk, dept, example, memoryCentre } from '../testing/centre-fixtures.js';
import type { Centre } from './centre.js';
import { outputMask } from './masking.js';
import type { Application } from './types.js';

const CERT_NO = 'Q440567890';
const STARRED = '*'.repeat(CERT_NO.length);
const CERTIFICATE = 'birth-certificate';
const supervisor: Actor = { userId: 'sup', name: '监督', role: 'supervisor' };

/** A newborn case accepted at the window, its certificate issued by the hospital and handed over in a first batch. */
async function certificateHandedOver(): Promise<{ centre: Centre; id: string }> {
  const { centre } = memoryCentre();
  await centre.deployBundle(analyst, example('newborn'));
  const app = await acceptedAtWindow(centre, 'newborn');
  await centre.approve(dept('hospital'), `${app.id}:${CERTIFICATE}`, { outputs: { birthCertNo: CERT_NO } });
  await centre.deliver(clerk, app.id, { channel: 'window', items: [CERTIFICATE] });
  return { centre, id: app.id };
}

/** The certificate number wherever the case view shows it: the item, the approval, the batch. */
function certificateNumbers(view: Application): unknown[] {
  const approval = view.timeline.find((e) => e.type === 'task.approved' && e.data?.item === CERTIFICATE);
  const batch = view.timeline.find((e) => e.type === 'delivered.batch');
  const results = batch?.data?.results as { item: string; outputs: { value: string }[] }[];
  return [
    view.items.find((i) => i.item === CERTIFICATE)?.outputs?.[0]?.value,
    (approval?.data?.outputs as { key: string; value: string }[]).find((o) => o.key === 'birthCertNo')?.value,
    results.find((r) => r.item === CERTIFICATE)?.outputs[0]?.value,
  ];
}

describe('a sensitive item output', () => {
  it('is starred for the window and supervisors in the item, the approval and the delivery', async () => {
    const { centre, id } = await certificateHandedOver();
    for (const reader of [clerk, supervisor]) {
      const view = await centre.getApplication(reader, id);
      expect(certificateNumbers(view)).toEqual([STARRED, STARRED, STARRED]);
      expect(JSON.stringify(view)).not.toContain(CERT_NO);
      // The label stays: the clerk still sees that the certificate has a number.
      expect(view.items.find((i) => i.item === CERTIFICATE)?.outputs?.[0]?.label.zh).toBe('出生医学证明编号');
    }
    const listed = await centre.listApplications(supervisor, {});
    expect(JSON.stringify(listed.items.find((a) => a.id === id))).not.toContain(CERT_NO);
  });

  it('stays whole for the applicant, the issuing hospital and the police station that needs it', async () => {
    const { centre, id } = await certificateHandedOver();
    expect(certificateNumbers(await centre.getApplication(applicantActor, id))).toEqual([
      CERT_NO,
      CERT_NO,
      CERT_NO,
    ]);
    expect(certificateNumbers(await centre.getApplication(dept('hospital'), id))).toEqual([
      CERT_NO,
      CERT_NO,
      CERT_NO,
    ]);
    const police = await centre.getTask(dept('police-station'), `${id}:birth-registration`);
    expect(police.upstreamResults?.[0]?.outputs[0]?.value).toBe(CERT_NO);
  });

  it('is masked by its format as a field would be: an ID number keeps its first 3 and last 4', () => {
    const definition = structuredClone(example('newborn').bundle) as BundleDefinition;
    const certificate = definition.items.find((i) => i.code === CERTIFICATE)!;
    certificate.outputs = [
      ...certificate.outputs!,
      {
        key: 'childId',
        label: { zh: '公民身份号码', en: 'ID number' },
        format: 'resident-id',
        sensitivity: 'sensitive',
      },
      { key: 'issuedOn', label: { zh: '签发日期', en: 'Issued on' }, format: 'date' },
    ];
    const mask = outputMask(definition);
    expect(mask(CERTIFICATE, 'childId', '440402202601011234')).toBe('440***********1234');
    expect(mask(CERTIFICATE, 'birthCertNo', CERT_NO)).toBe(STARRED);
    // Not declared sensitive, or another item's output of the same name: as given.
    expect(mask(CERTIFICATE, 'issuedOn', '2026-01-01')).toBe('2026-01-01');
    expect(mask('birth-registration', 'birthCertNo', CERT_NO)).toBe(CERT_NO);
  });
});
