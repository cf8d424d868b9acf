/** bpmn-auto-layout ships no types; this is the part examples/layout.ts uses. */
declare module 'bpmn-auto-layout' {
  /** Returns the BPMN XML with a diagram (BPMN DI) laid out left to right; the semantic model is kept. */
  export function layoutProcess(xml: string): Promise<string>;
}
