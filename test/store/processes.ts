/** Small processes the store tests run on every adapter (and the child processes they spawn). */
import {
  chain,
  definitions,
  endEvent,
  flow,
  message,
  process,
  startEvent,
  timer,
  userTask,
} from '../../engine/src/testing/bpmn.js';

/**
 * `permit`: three waits at once — a police review (user task), a one-hour cooling-off timer and
 * the fee.paid message (correlated by business key) — then a civil-affairs approval.
 */
export const PERMIT = definitions(
  process(
    'permit',
    `
    ${startEvent('start')}
    <bpmn:parallelGateway id="fork"/>
    ${userTask('review', { department: 'police' })}
    <bpmn:intermediateCatchEvent id="cooling">${timer('timeDuration', 'PT1H')}</bpmn:intermediateCatchEvent>
    <bpmn:intermediateCatchEvent id="paid"><bpmn:messageEventDefinition messageRef="M_paid"/></bpmn:intermediateCatchEvent>
    <bpmn:parallelGateway id="join"/>
    ${userTask('approve', { department: 'civil' })}
    ${endEvent('end')}
    ${chain('start', 'fork')}
    ${flow('fork', 'review')}
    ${flow('fork', 'cooling')}
    ${flow('fork', 'paid')}
    ${flow('review', 'join')}
    ${flow('cooling', 'join')}
    ${flow('paid', 'join')}
    ${chain('join', 'approve', 'end')}`,
  ),
  message('M_paid', 'fee.paid'),
);

/** `two-step`: accept (police) then decide (civil): the crash and concurrency tests' process. */
export const TWO_STEP = definitions(
  process(
    'two-step',
    `
    ${startEvent('start')}
    ${userTask('accept', { department: 'police' })}
    ${userTask('decide', { department: 'civil' })}
    ${endEvent('end')}
    ${chain('start', 'accept', 'decide', 'end')}`,
  ),
);

/**
 * `crash-parent` calls `crash-child` and at the same time waits for the child's `reviewed` message
 * (correlated by the business key the child inherits): accept (police) → [call the child ‖ catch
 * reviewed] → decide (civil). The child: check (tax) → throw reviewed. Every instance therefore
 * depends on follow-ups: the child's start, its message and its end reaching the parent.
 */
export const CALL_AND_MESSAGE = definitions(
  process(
    'crash-child',
    `
    ${startEvent('cStart')}
    ${userTask('check', { department: 'tax' })}
    <bpmn:intermediateThrowEvent id="tell"><bpmn:messageEventDefinition messageRef="M_reviewed"/></bpmn:intermediateThrowEvent>
    ${endEvent('cEnd')}
    ${chain('cStart', 'check', 'tell', 'cEnd')}`,
  ) +
    process(
      'crash-parent',
      `
    ${startEvent('start')}
    ${userTask('accept', { department: 'police' })}
    <bpmn:parallelGateway id="fork"/>
    <bpmn:callActivity id="review" calledElement="crash-child"/>
    <bpmn:intermediateCatchEvent id="reviewed"><bpmn:messageEventDefinition messageRef="M_reviewed"/></bpmn:intermediateCatchEvent>
    <bpmn:parallelGateway id="join"/>
    ${userTask('decide', { department: 'civil' })}
    ${endEvent('end')}
    ${chain('start', 'accept', 'fork')}
    ${flow('fork', 'review')}
    ${flow('fork', 'reviewed')}
    ${flow('review', 'join')}
    ${flow('reviewed', 'join')}
    ${chain('join', 'decide', 'end')}`,
    ),
  message('M_reviewed', 'reviewed'),
);

/** Task completions per CALL_AND_MESSAGE instance: accept and decide in the parent, check in the child. */
export const CALL_AND_MESSAGE_STEPS = 3;
