/** Packages of the designer that ship no TypeScript types; used through narrow local types. */
declare module 'bpmn-auto-layout' {
  export function layoutProcess(xml: string): Promise<string>;
}
declare module 'bpmn-js-bpmnlint' {
  const lintModule: import('didi').ModuleDeclaration;
  export default lintModule;
}
declare module 'bpmn-js-properties-panel' {
  export const BpmnPropertiesPanelModule: import('didi').ModuleDeclaration;
  export const BpmnPropertiesProviderModule: import('didi').ModuleDeclaration;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  export function useService(name: string): any;
}
declare module '@bpmn-io/properties-panel' {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  type Component = (props: any) => any;
  export const CheckboxEntry: Component;
  export const FeelEntry: Component;
  export const NumberFieldEntry: Component;
  export const SelectEntry: Component;
  export const TextFieldEntry: Component;
  export function isCheckboxEntryEdited(node: unknown): boolean;
  export function isFeelEntryEdited(node: unknown): boolean;
  export function isNumberFieldEntryEdited(node: unknown): boolean;
  export function isSelectEntryEdited(node: unknown): boolean;
  export function isTextFieldEntryEdited(node: unknown): boolean;
}
