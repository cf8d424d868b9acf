import { flowIndex, isA, say, type GovRuleOptions, type ModdleNode, type RuleDefinition } from '../types.js';

/**
 * A parallel split (two or more outgoing flows) is joined again: some parallel gateway with two or
 * more incoming flows is reachable from every branch. A branch that ends on its own leaves the
 * application's parts undelivered at the window, which the one-window life does not allow.
 */
export default function parallelJoin(options: GovRuleOptions = {}): RuleDefinition {
  const flows = flowIndex();
  return {
    check(node, reporter) {
      if (!isA(node, 'bpmn:ParallelGateway')) return;
      const outgoing: ModdleNode[] = flows(node).outgoing;
      if (outgoing.length < 2) return;
      let common: ModdleNode[] | null = null;
      for (const flow of outgoing) {
        const joins = reachableJoins(flow.targetRef, node, flows);
        common = common === null ? [...joins] : common.filter((j: ModdleNode) => joins.has(j));
        if (common.length === 0) break;
      }
      if (!common || common.length === 0) {
        reporter.report(
          node.id,
          say(
            options,
            '并行分支没有汇合到同一个并行网关',
            'Parallel split is not joined by a parallel gateway',
          ),
        );
      }
    },
  };
}

/** Parallel joins reachable from start (inclusive), not passing through the split itself again. */
function reachableJoins(
  start: ModdleNode,
  split: ModdleNode,
  flows: ReturnType<typeof flowIndex>,
): Set<ModdleNode> {
  const joins = new Set<ModdleNode>();
  const seen = new Set<ModdleNode>([split]);
  const queue: ModdleNode[] = start ? [start] : [];
  while (queue.length) {
    const current = queue.pop();
    if (seen.has(current)) continue;
    seen.add(current);
    if (isA(current, 'bpmn:ParallelGateway') && flows(current).incoming.length >= 2) joins.add(current);
    for (const flow of flows(current).outgoing) if (flow.targetRef) queue.push(flow.targetRef);
  }
  return joins;
}
