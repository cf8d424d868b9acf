/** Test support: a case of an example bundle as the window receives it, for tests about what comes after. */
import { samples } from '../../../forms/src/testing/samples.js';
import type { Application } from '../applications/types.js';
import type { Centre } from '../applications/centre.js';
import { applicantActor, clerk, HOLDER } from './centre-fixtures.js';

/**
 * A case of `bundle` with its sample answers and data for 张三 (`applicantActor`, with a phone),
 * created, submitted and accepted by the window's clerk, each required material's original seen.
 */
export async function acceptedAtWindow(centre: Centre, bundle: string): Promise<Application> {
  const { situation, ...data } = structuredClone(samples[bundle]!);
  const draft = await centre.createApplication(clerk, {
    bundleCode: bundle,
    answers: { ...situation },
    data,
    applicant: {
      kind: 'person',
      name: applicantActor.name,
      idNumber: HOLDER,
      phone: '13800138000',
      userId: applicantActor.userId,
    },
  });
  const submitted = await centre.submit(clerk, draft.id);
  const materials = submitted.materials
    .filter((m) => m.required && m.status === 'missing')
    .map((m) => ({ id: m.id, status: 'provided' as const }));
  return centre.accept(clerk, draft.id, { materials });
}
