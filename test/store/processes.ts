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
