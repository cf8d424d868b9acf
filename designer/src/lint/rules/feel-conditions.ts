import { compile } from '../../../../engine/src/expressions/feel.js';
import { juelHint, otherLanguage } from '../../../../engine/src/expressions/language.js';
import { isA, say, type GovRuleOptions, type Lang, type ModdleNode, type RuleDefinition } from '../types.js';

/** What messages call an expression (zh, en). */
interface ExpressionName {
  zh: string;
  en: string;
}

/** A formal expression on a node, with its name and whether the engine parses its body as FEEL. */
interface Formal extends ExpressionName {
  expression: ModdleNode;
  path: string[];
  feel: boolean;
}

const CONDITION: ExpressionName = { zh: '条件表达式', en: 'condition' };

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
      ...CONDITION,
      expression: node.conditionExpression,
      path: ['conditionExpression'],
      feel: true,
    });
  }
  const loop = node.loopCharacteristics;
  if (loop) {
    const at = (key: string) => ({ expression: loop[key], path: ['loopCharacteristics', key], feel: true });
    found.push({ zh: '循环基数', en: 'loop cardinality', ...at('loopCardinality') });
    found.push({ zh: '完成条件', en: 'completion condition', ...at('completionCondition') });
  }
  (node.eventDefinitions ?? []).forEach((definition: ModdleNode, index: number) => {
    if (!isA(definition, 'bpmn:TimerEventDefinition')) return;
    for (const [key, zh, en] of TIMER_PARTS) {
      const expression = definition[key];
      // Deploy (timerDef) parses a timer as FEEL only after "="; else it is an ISO 8601 literal.
      const feel = typeof expression?.body === 'string' && expression.body.trim().startsWith('=');
      found.push({ zh, en, expression, path: ['eventDefinitions', String(index), key], feel });
    }
  });
  return found.filter((f) => typeof f.expression?.body === 'string' && f.expression.body.trim() !== '');
}

/**
 * What deploy refuses in a formal expression, in the analyst's language, or null: a `language`
 * other than FEEL, else (when the engine parses the body as FEEL) a FEEL syntax error, with how
 * to write a JUEL-style `${x}` in FEEL. Shared with the properties panel (conditionProblem).
 */
function formalProblem(
  options: GovRuleOptions,
  name: ExpressionName,
  expression: { body: string; language?: string },
  feel = true,
): string | null {
  const language = otherLanguage(expression.language);
  if (language !== null) {
    return say(
      options,
      `${name.zh}使用的语言是 "${language}"；引擎只执行 FEEL（请去掉 language，或设为 "feel"）`,
      `The ${name.en} is written in "${language}"; the engine evaluates FEEL only (leave language out, or set it to "feel")`,
    );
  }
  // Not checked as FEEL too, as at deploy: one problem per expression.
  if (!feel) return null;
  const error = compile(expression.body).syntaxError;
  if (!error) return null;
  const juel = juelHint(expression.body);
  const en = name.en.charAt(0).toUpperCase() + name.en.slice(1);
  return say(
    options,
    `${name.zh}有语法错误：${error}${juel ? `；${juel.juel} 不是 FEEL，请写成 ${juel.feel}` : ''}`,
    `${en} has a FEEL syntax error: ${error}${juel ? `; ${juel.juel} is not FEEL: write ${juel.feel}` : ''}`,
  );
}

/**
 * The properties panel's check of the condition being edited (`value`), worded as this rule's.
 * Empty or a bare "=" is no condition. The stored expression's language counts only for its own
 * body: the panel saves an edited condition as a new expression without a language, so FEEL.
 */
export function conditionProblem(
  value: string | undefined,
  stored: { body?: string; language?: string } | undefined,
  lang: Lang,
): string | null {
  if (value === undefined || value.trim() === '' || value.trim() === '=') return null;
  const language = value === stored?.body ? stored.language : undefined;
  return formalProblem({ lang }, CONDITION, { body: value, language });
}

/**
 * The engine evaluates FEEL only: a formal expression naming another language (a model from
 * Camunda 7 or bpmn-engine) is refused at deploy, as is one the engine parses as FEEL (a
 * condition, multi-instance expression or "=" timer) that does not parse (feelin).
 */
export default function feelConditions(options: GovRuleOptions = {}): RuleDefinition {
  return {
    check(node, reporter) {
      for (const { expression, path, feel, ...name } of formalExpressions(node)) {
        const problem = formalProblem(options, name, expression, feel);
        if (problem) reporter.report(node.id, problem, path);
      }
    },
  };
}
