/**
 * What the example bundles' departments record when they approve an item that declares outputs
 * (bundle.json `outputs`): the new enterprise's credit code, the birth certificate's number.
 * Tests and benchmarks that approve every item send these with the approval.
 */
export const EXAMPLE_OUTPUTS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  'enterprise-registration': { creditCode: '91440400MA4W12346M' },
  'birth-certificate': { birthCertNo: 'Q440567890' },
};

/** The approve body an example item needs: its outputs when it declares any, else nothing. */
export function approvalOf(item: string): { outputs?: Record<string, string> } {
  const outputs = EXAMPLE_OUTPUTS[item];
  return outputs ? { outputs: { ...outputs } } : {};
}
