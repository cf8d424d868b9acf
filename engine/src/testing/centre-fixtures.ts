/** Test support for the Centre's tests: the example bundles, the actors, and the applicant's ID card e-licence. */
import { readFileSync } from 'node:fs';
import type { Actor } from '../domain/actor.js';
import { Centre, type CentreOptions } from '../applications/centre.js';
import { workingTimeLimits } from '../applications/working-time.js';
import { MemoryDocStore } from '../domain/docs.js';
import { createEngine } from '../index.js';

export const example = (code: string) => ({
  bundle: JSON.parse(readFileSync(new URL(`../../../examples/${code}/bundle.json`, import.meta.url), 'utf8')),
  xml: readFileSync(new URL(`../../../examples/${code}/process.bpmn`, import.meta.url), 'utf8'),
});

export const analyst: Actor = { userId: 'ana', name: '配置员', role: 'analyst' };
export const clerk: Actor = {
  userId: 'clerk1',
  name: '窗口一',
  role: 'clerk',
  region: '440402',
  venue: 'xiangzhou-centre',
};
export const applicantActor: Actor = { userId: 'zhangsan', name: '张三', role: 'applicant' };
/** A member of a department (`n` tells two members apart). */
export const dept = (department: string, n = 1): Actor => ({
  userId: `${department}-${n}`,
  name: department,
  role: 'department',
  department,
});

// Monday 2026-11-23 09:00 CST
export const T0 = Date.UTC(2026, 10, 23, 1, 0);
export const HOLDER = '440402199003071232';

/** A Centre in memory at T0 (its engine beside it), with any other options given. */
export function memoryCentre(options: Partial<CentreOptions> = {}) {
  const engine = options.engine ?? createEngine({ clock: () => T0 });
  const centre = new Centre({
    engine,
    docs: new MemoryDocStore(),
    timeLimits: workingTimeLimits(),
    clock: () => T0,
    ...options,
  });
  return { centre, engine };
}

/** A licence from another issuer's library, as the provincial e-licence system would supply it. */
export function externalLicence(centre: Centre, typeCode: string, number: string, holderId = HOLDER) {
  return centre.licences.issue(
    {
      typeCode,
      number,
      holderId,
      holderName: '张三',
      issuer: 'public-security',
      validFrom: '2020-01-01',
      data: { legalRepName: '张三' },
    },
    T0,
    { applicationId: 'external', item: 'external' },
  );
}

/** A material deferred (容缺) at acceptance under the applicant's signed commitment to bring it within five working days. */
export const deferred = (id = 'premisesProof', signer = '张三') => ({
  materials: [{ id, status: 'deferred' as const }],
  commitments: [{ kind: 'deferral' as const, materials: [id], signer, text: '五个工作日内补交' }],
});

/** business-startup's items after registration, with the department deciding each. */
export const AFTER_REGISTRATION = [
  ['public-security', 'seal-filing'],
  ['tax', 'new-taxpayer'],
  ['hrss', 'employer-social-insurance'],
  ['medical-security', 'employer-medical-insurance'],
  ['housing-fund', 'housing-fund-account'],
  ['bank', 'bank-appointment'],
] as const;

/** What the upload route records for a checked PDF (Centre.attachMaterialFile): a material counts as provided only with it. */
export const MATERIAL_FILE = {
  sha256: 'a'.repeat(64),
  size: 10,
  mime: 'application/pdf',
  path: 'uploads/aa/x.pdf',
  name: 'x.pdf',
};
