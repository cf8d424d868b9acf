import type { BundleDefinition } from '../bundle/index.js';
import type { UnifiedData } from '../merge/index.js';

/**
 * What an item's approval puts on the e-licence it issues (the item's `issues` in bundle.json):
 * the type and the declared fields present in the unified data. The department adds its own
 * outputs (licence number, a new credit code) and engine/src/licences signs it.
 */
export function licenceContentFor(
  bundle: BundleDefinition,
  itemCode: string,
  data: UnifiedData,
): { typeCode: string; data: Record<string, unknown>; holder: 'applicant' | 'resultNumber' } | undefined {
  const issues = bundle.items.find((i) => i.code === itemCode)?.issues;
  if (!issues) return undefined;
  const content: Record<string, unknown> = {};
  for (const f of issues.fields) if (data[f] !== undefined) content[f] = data[f];
  return { typeCode: issues.eLicenceType, data: content, holder: issues.holder ?? 'applicant' };
}
