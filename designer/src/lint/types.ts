/** The small part of bpmnlint's rule API our rules use (bpmnlint ships types only for its lib). */

/** A bpmn-moddle element; gov:* attributes are plain properties (department, item, timeLimit…). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ModdleNode = any;

export interface Reporter {
  report(id: string, message: string, path?: string[]): void;
}

export interface RuleDefinition {
  meta?: { documentation?: { url?: string } };
  check: (node: ModdleNode, reporter: Reporter) => boolean | void;
}

export type Lang = 'zh' | 'en';

/** Options every gov rule receives from the linter config (see config.ts). */
export interface GovRuleOptions {
  lang?: Lang;
  /** Department codes of the bundle being edited; when given, unknown codes are flagged. */
  departments?: string[];
  /** Items of the bundle: code → department and promised working days. */
  items?: Record<string, { department: string; promisedDays?: number }>;
}

export type RuleFactory = (options?: GovRuleOptions) => RuleDefinition;

export const say = (options: GovRuleOptions | undefined, zh: string, en: string): string =>
  options?.lang === 'en' ? en : zh;

export const isA = (node: ModdleNode, type: string): boolean =>
  typeof node?.$instanceOf === 'function' ? node.$instanceOf(type) : node?.$type === type;

/** The comprehensive window (综合窗口): its tasks need no item and no department time limit. */
export const WINDOW = 'window';

/**
 * Sequence flows into and out of each node, from the flows' sourceRef/targetRef. bpmn-moddle fills
 * a node's incoming/outgoing only in some cases, so rules must not rely on them. One instance per
 * lint run (rules are created per run), so edits between runs are seen.
 */
export function flowIndex(): (node: ModdleNode) => { incoming: ModdleNode[]; outgoing: ModdleNode[] } {
  const byContainer = new WeakMap<
    object,
    Map<ModdleNode, { incoming: ModdleNode[]; outgoing: ModdleNode[] }>
  >();
  const empty = { incoming: [], outgoing: [] };
  return (node) => {
    const container = node?.$parent;
    if (!container) return empty;
    let index = byContainer.get(container);
    if (!index) {
      index = new Map();
      const entry = (n: ModdleNode) => {
        let e = index!.get(n);
        if (!e) index!.set(n, (e = { incoming: [], outgoing: [] }));
        return e;
      };
      for (const element of container.flowElements ?? []) {
        if (!isA(element, 'bpmn:SequenceFlow')) continue;
        if (element.sourceRef) entry(element.sourceRef).outgoing.push(element);
        if (element.targetRef) entry(element.targetRef).incoming.push(element);
      }
      byContainer.set(container, index);
    }
    return index.get(node) ?? empty;
  };
}
