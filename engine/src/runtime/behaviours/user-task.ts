/** User tasks: a task for a person (a department's reviewer, a clerk) and a wait until it is done. */
import type { Task } from '../../api.js';
import type { Behaviour } from './behaviour.js';

export const userTask: Behaviour = {
  enter(exec, token, node) {
    exec.history('element.entered', node);
    const wait = exec.openWait({ kind: 'task', token: token.id, node: node.index });
    token.rest = 'wait';
    const gov = node.gov;
    const task: Task = {
      id: wait.id,
      instanceId: exec.s.id,
      processId: exec.plan.processId,
      elementId: node.id,
      state: 'open',
      candidateRoles: gov?.candidateRoles ?? [],
      createdAt: exec.now,
    };
    if (exec.s.businessKey !== undefined) task.businessKey = exec.s.businessKey;
    if (node.name) task.name = node.name;
    if (gov) {
      if (gov.department) task.department = gov.department;
      if (gov.item) task.item = gov.item;
      if (gov.formView) task.formView = gov.formView;
      if (gov.timeLimitDays !== undefined) task.timeLimitDays = gov.timeLimitDays;
      if (gov.specialStep) task.specialStep = true;
      if (gov.assignee) task.assignee = gov.assignee;
    }
    if (token.inner) {
      const scope = exec.s.scopes[token.scope]!;
      task.loopCounter = (scope.loopIndex ?? 0) + 1;
      const element = exec.plan.nodes[token.node]!.multiInstance?.elementVariable;
      if (element) task.inputElement = scope.vars[element];
    }
    exec.addTask(task);
    exec.effects.push({ type: 'task.created', task });
    exec.attachBoundaries(token, node);
  },
};
