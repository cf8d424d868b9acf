/** Service tasks: a job for a department system (or an in-process handler) and a wait for its result. */
import type { Job } from '../../api.js';
import type { Behaviour } from './behaviour.js';

export const DEFAULT_JOB_RETRIES = 3;

export const serviceTask: Behaviour = {
  enter(exec, token, node) {
    exec.history('element.entered', node);
    const wait = exec.openWait({ kind: 'job', token: token.id, node: node.index });
    token.rest = 'wait';
    const job: Job = {
      id: wait.id,
      instanceId: exec.s.id,
      elementId: node.id,
      type: node.jobType ?? node.id,
      variables: { ...exec.context(token.scope) },
      createdAt: exec.now,
    };
    exec.addJob(job);
    exec.effects.push({ type: 'job.created', job, retries: node.retries ?? DEFAULT_JOB_RETRIES });
    exec.attachBoundaries(token, node);
  },
};
