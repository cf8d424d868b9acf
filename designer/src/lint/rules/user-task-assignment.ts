import { isA, say, WINDOW, type GovRuleOptions, type RuleDefinition } from '../types.js';

/**
 * Every user task names its department (gov:department) and, unless it is a window task, the
 * service item (gov:item) it handles. With the bundle's lists in the options, unknown codes and an
 * item given to another department are flagged too (the server checks the same at deploy).
 */
export default function userTaskAssignment(options: GovRuleOptions = {}): RuleDefinition {
  return {
    check(node, reporter) {
      if (!isA(node, 'bpmn:UserTask')) return;
      const department: string | undefined = node.department || undefined;
      const item: string | undefined = node.item || undefined;
      let knownDepartment = true;
      if (!department) {
        reporter.report(node.id, say(options, '用户任务未指定部门', 'User task has no department'), [
          'department',
        ]);
      } else if (department !== WINDOW && options.departments && !options.departments.includes(department)) {
        knownDepartment = false;
        reporter.report(
          node.id,
          say(
            options,
            `部门 "${department}" 不在事项包中`,
            `Department "${department}" is not in the bundle`,
          ),
          ['department'],
        );
      }
      if (department && department !== WINDOW && !item) {
        reporter.report(
          node.id,
          say(options, '部门任务未指定办理事项', 'Department task has no service item'),
          ['item'],
        );
      }
      if (item && options.items) {
        const owner = options.items[item];
        if (!owner) {
          reporter.report(
            node.id,
            say(options, `事项 "${item}" 不在事项包中`, `Item "${item}" is not in the bundle`),
            ['item'],
          );
        } else if (
          department &&
          department !== WINDOW &&
          knownDepartment &&
          owner.department !== department
        ) {
          reporter.report(
            node.id,
            say(
              options,
              `事项 "${item}" 属于 ${owner.department}，任务却分派给 ${department}`,
              `Item "${item}" belongs to ${owner.department}, not ${department}`,
            ),
            ['item'],
          );
        }
      }
    },
  };
}
