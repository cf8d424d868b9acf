import { compile } from '../../../../engine/src/expressions/feel.js';
import { juelHint, otherLanguage } from '../../../../engine/src/expressions/language.js';
import { isA, say, type GovRuleOptions, type ModdleNode, type RuleDefinition } from '../types.js';

/** A formal expression the engine evaluates as FEEL, with its name in messages (zh, en). */
interface Formal {
  zh: string;
  en: string;
  expression: ModdleNode;
  path: string[];
}

const TIMER_PARTS = [
  ['timeDate', '定时器日期', 'timer date'],
  ['timeDuration', '定时器时长', 'timer duration'],
  ['timeCycle', '定时器周期', 'timer cycle'],
] as const;

/** A node's non-empty formal expressions: its condition, multi-instance expressions and timers. */
function formalExpressions(node: ModdleNode): Formal[] {
  const found: Formal[] = [];
  if (isA(node, 'bpmn:SequenceFlow')) {
    found.push({
      zh: '条件表达式',
      en: 'condition',
      expression: node.conditionExpression,
      path: ['conditionExpression'],
    });
  }
  const loop = node.loopCharacteristics;
  if (loop) {
    const at = (key: string) => ({ expression: loop[key], path: ['loopCharacteristics', key] });
    found.push({ zh: '循环基数', en: 'loop cardinality', ...at('loopCardinality') });
    found.push({ zh: '完成条件', en: 'completion condition', ...at('completionCondition') });
  }
  (node.eventDefinitions ?? []).forEach((definition: ModdleNode, index: number) => {
    if (!isA(definition, 'bpmn:TimerEventDefinition')) return;
    for (const [key, zh, en] of TIMER_PARTS) {
      found.push({ zh, en, expression: definition[key], path: ['eventDefinitions', String(index), key] });
    }
  });
  return found.filter((f) => typeof f.expression?.body === 'string' && f.expression.body.trim() !== '');
}

/**
 * The engine evaluates FEEL only: a formal expression naming another language (a model from
 * Camunda 7 or bpmn-engine) is refused at deploy, as is a condition that does not parse (feelin).
 */
export default function feelConditions(options: GovRuleOptions = {}): RuleDefinition {
  return {
    check(node, reporter) {
      for (const { zh, en, expression, path } of formalExpressions(node)) {
        const language = otherLanguage(expression.language);
        if (language !== null) {
          reporter.report(
            node.id,
            say(
              options,
              `${zh}使用的语言是 "${language}"；引擎只执行 FEEL（请去掉 language，或设为 "feel"）`,
              `The ${en} is written in "${language}"; the engine evaluates FEEL only (leave language out, or set it to "feel")`,
            ),
            path,
          );
          // Not checked as FEEL too, as at deploy: one problem per expression.
          continue;
        }
        // Only conditions are parsed here, as before; the other expressions' FEEL is checked at deploy.
        if (!isA(node, 'bpmn:SequenceFlow')) continue;
        const error = compile(expression.body).syntaxError;
        if (!error) continue;
        const juel = juelHint(expression.body);
        reporter.report(
          node.id,
          say(
            options,
            `条件表达式有语法错误：${error}${juel ? `；${juel.juel} 不是 FEEL，请写成 ${juel.feel}` : ''}`,
            `Condition has a FEEL syntax error: ${error}${juel ? `; ${juel.juel} is not FEEL: write ${juel.feel}` : ''}`,
          ),
          path,
        );
      }
    },
  };
}
