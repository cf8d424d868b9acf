import { compile } from '../../../../engine/src/expressions/feel.js';
import { isA, say, type GovRuleOptions, type RuleDefinition } from '../types.js';

/** Sequence-flow conditions are FEEL that the engine's own compiler accepts (feelin). */
export default function feelConditions(options: GovRuleOptions = {}): RuleDefinition {
  return {
    check(node, reporter) {
      if (!isA(node, 'bpmn:SequenceFlow')) return;
      const body: string | undefined = node.conditionExpression?.body;
      if (body === undefined || body.trim() === '') return;
      const error = compile(body).syntaxError;
      if (error) {
        reporter.report(
          node.id,
          say(options, `条件表达式有语法错误：${error}`, `Condition has a FEEL syntax error: ${error}`),
          ['conditionExpression'],
        );
      }
    },
  };
}
