import { flowIndex, isA, say, type GovRuleOptions, type RuleDefinition } from '../types.js';

/**
 * An exclusive or inclusive gateway that splits (two or more outgoing flows) gives every outgoing
 * flow a condition, except at most the default flow. A default flow with a condition is flagged too:
 * the engine ignores it.
 */
export default function conditionalSplits(options: GovRuleOptions = {}): RuleDefinition {
  const flows = flowIndex();
  return {
    check(node, reporter) {
      if (!isA(node, 'bpmn:ExclusiveGateway') && !isA(node, 'bpmn:InclusiveGateway')) return;
      const outgoing: { id: string; conditionExpression?: { body?: string } }[] = flows(node).outgoing;
      if (outgoing.length < 2) return;
      for (const flow of outgoing) {
        const isDefault = node.default === flow;
        const hasCondition = !!flow.conditionExpression?.body?.trim();
        if (!isDefault && !hasCondition) {
          reporter.report(
            flow.id,
            say(
              options,
              '分支缺少条件（或把它设为默认分支）',
              'Flow out of a split has no condition (or make it the default flow)',
            ),
            ['conditionExpression'],
          );
        } else if (isDefault && hasCondition) {
          reporter.report(
            flow.id,
            say(options, '默认分支的条件不会被使用', "The default flow's condition is never used"),
            ['conditionExpression'],
          );
        }
      }
    },
  };
}
