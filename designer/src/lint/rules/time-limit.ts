import { isA, say, WINDOW, type GovRuleOptions, type RuleDefinition } from '../types.js';

/**
 * Every department task has a time limit in working days (gov:timeLimit, a whole number ≥ 1); it
 * should not exceed the promised days of its item. Window tasks (delivery) carry no limit of their
 * own. A special step (gov:specialStep), window or not, must have its own limit: its days do not
 * count toward the item's promise, so deploy refuses one without (gov.specialStepLimit, in the
 * engine's words) and the promise does not bound it.
 */
export default function timeLimit(options: GovRuleOptions = {}): RuleDefinition {
  return {
    check(node, reporter) {
      if (!isA(node, 'bpmn:UserTask')) return;
      const days: unknown = node.timeLimit;
      const unset = days === undefined || days === null || (typeof days === 'number' && Number.isNaN(days));
      if (node.specialStep === true && unset) {
        reporter.report(node.id, specialStepWithoutLimit(options), ['timeLimit']);
        return;
      }
      if (node.department === WINDOW) return;
      if (unset) {
        reporter.report(
          node.id,
          say(options, '未设置办理时限（工作日）', 'No time limit (working days) set'),
          ['timeLimit'],
        );
        return;
      }
      if (typeof days !== 'number' || !Number.isInteger(days) || days < 1) {
        reporter.report(
          node.id,
          say(
            options,
            '办理时限须为不少于 1 的整数工作日',
            'Time limit must be a whole number of working days ≥ 1',
          ),
          ['timeLimit'],
        );
        return;
      }
      if (node.specialStep === true) return;
      const promised = node.item ? options.items?.[node.item]?.promisedDays : undefined;
      if (promised !== undefined && days > promised) {
        reporter.report(
          node.id,
          say(
            options,
            `办理时限 ${days} 天超过事项承诺时限 ${promised} 天`,
            `Time limit ${days} days exceeds the item's promised ${promised} days`,
          ),
          ['timeLimit'],
        );
      }
    },
  };
}

/** The engine's words for gov.specialStepLimit (compile.ts, messages-zh.ts), so the checker says what deploy will. */
export const specialStepWithoutLimit = (options: GovRuleOptions) =>
  say(
    options,
    '特殊环节（gov:specialStep="true"）必须设置本环节的时限：请填写 gov:timeLimit（工作日）',
    'a special step (gov:specialStep="true") needs its own time limit: set gov:timeLimit (working days)',
  );
