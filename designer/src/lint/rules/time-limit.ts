import { isA, say, WINDOW, type GovRuleOptions, type RuleDefinition } from '../types.js';

/**
 * Every department task has a time limit in working days (gov:timeLimit, a whole number ≥ 1); it
 * should not exceed the promised days of its item. Window tasks (delivery) carry no limit of their own.
 */
export default function timeLimit(options: GovRuleOptions = {}): RuleDefinition {
  return {
    check(node, reporter) {
      if (!isA(node, 'bpmn:UserTask')) return;
      if (node.department === WINDOW) return;
      const days: unknown = node.timeLimit;
      if (days === undefined || days === null || (typeof days === 'number' && Number.isNaN(days))) {
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
