/**
 * Special steps (特殊环节: hearing, inspection, testing, expert review, site survey…): a user task
 * marked gov:specialStep. Its days count toward neither the item's nor the case's promised limit
 * (their clocks pause while it is open, centre.ts), but it has its own limit, and the applicant is
 * told in writing which step it is, that its time does not count, and when it is due
 * (GOV-SERVICES 2.12). Its colour and supervision record are the item clocks' (case-clock.ts).
 */
import type { Text } from '../domain/errors.js';
import type { Task } from '../api.js';
import { specialStepLimit } from './case-clock.js';
import type { TimeLimits } from './clock.js';
import { cstDate } from './licence-library.js';
import { record, SYSTEM } from './timeline.js';
import type { Application, ItemCase, SpecialStep } from './types.js';

/** Opens the special step `task` on `item` (once per task), with the applicant's written notice on the timeline. */
export function beginSpecialStep(
  limits: TimeLimits,
  app: Application,
  item: ItemCase,
  task: Task,
  now: number,
): void {
  if (item.specialSteps?.some((s) => s.taskId === task.id)) return;
  const step: SpecialStep = {
    taskId: task.id,
    elementId: task.elementId,
    name: task.name ?? task.elementId,
    openedAt: task.createdAt,
    // Deployment refuses a special step without gov:timeLimit; one deployed before that rule
    // gets the item's own limit.
    limitDays: task.timeLimitDays ?? item.limitDays,
    timeStatus: 'normal',
  };
  (item.specialSteps ??= []).push(step);
  const dueAt = specialStepLimit(limits, app, item, step, now).deadline;
  record(app, SYSTEM, now, 'specialStep.opened', {
    ...about(item, step),
    limitDays: step.limitDays,
    dueAt,
    notice: specialStepNotice(item, step, dueAt),
  });
}

/** Ends the special steps whose task is no longer open (decided, or the process moved on). */
export function endSpecialSteps(app: Application, open: readonly Task[], now: number): void {
  const stillOpen = new Set(open.map((task) => task.id));
  for (const item of app.items) {
    for (const step of item.specialSteps ?? []) {
      if (step.endedAt !== undefined || stillOpen.has(step.taskId)) continue;
      step.endedAt = now;
      record(app, SYSTEM, now, 'specialStep.ended', about(item, step));
    }
  }
}

/** What the applicant is told when a special step opens: which step, that it does not count, its own due date. */
export function specialStepNotice(item: ItemCase, step: SpecialStep, dueAt: number): Text {
  // The deadline is 24:00 CST of the last working day (exclusive): the notice names that day.
  const lastDay = cstDate(dueAt - 1);
  return {
    zh:
      `“${item.name.zh}”进入特殊环节“${step.name}”，该环节所需时间不计入承诺办结时限；` +
      `本环节时限为 ${step.limitDays} 个工作日，应于 ${lastDay} 前办结。`,
    en:
      `${item.name.en} has entered the special step "${step.name}": its time does not count toward ` +
      `the promised time limit. The step has its own limit of ${step.limitDays} working days and is due by ${lastDay}.`,
  };
}

function about(item: ItemCase, step: SpecialStep) {
  return { item: item.item, department: item.department, step: step.elementId, name: step.name };
}
