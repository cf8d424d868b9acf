/** bpmn-moddle ships no types; this is the part we use. Moddle elements are dynamic, hence `any`. */
/* eslint-disable @typescript-eslint/no-explicit-any */
declare module 'bpmn-moddle' {
  export interface ParseWarning {
    message: string;
    element?: unknown;
    property?: string;
    value?: unknown;
  }
  export class BpmnModdle {
    constructor(packages?: Record<string, unknown>, options?: Record<string, unknown>);
    fromXML(
      xml: string,
      typeName?: string,
      options?: Record<string, unknown>,
    ): Promise<{
      rootElement: any;
      warnings: ParseWarning[];
      references: unknown[];
      elementsById: Record<string, any>;
    }>;
    toXML(element: unknown, options?: Record<string, unknown>): Promise<{ xml: string }>;
    create(type: string, attrs?: Record<string, unknown>): any;
  }
}
