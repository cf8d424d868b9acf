import { isA, type ModdleNode } from './types.js';

/**
 * Fills each flow node's incoming/outgoing from the sequence flows' sourceRef/targetRef, as
 * bpmnlint's own rules read them and BPMN files written by hand (the examples) often omit them.
 * Returns the number of references added.
 */
export function fillFlowRefs(definitions: ModdleNode): number {
  let added = 0;
  const visit = (container: ModdleNode) => {
    const elements: ModdleNode[] = container?.flowElements ?? [];
    for (const element of elements) {
      if (isA(element, 'bpmn:SequenceFlow')) {
        const add = (node: ModdleNode, key: 'incoming' | 'outgoing') => {
          if (!node) return;
          const list: ModdleNode[] = node.get ? node.get(key) : (node[key] ??= []);
          if (!list.includes(element)) {
            list.push(element);
            added++;
          }
        };
        add(element.sourceRef, 'outgoing');
        add(element.targetRef, 'incoming');
      } else if (element.flowElements) {
        visit(element);
      }
    }
  };
  for (const root of definitions?.rootElements ?? []) visit(root);
  return added;
}
