/** Behaviours by element kind, plus the shared mechanisms that several kinds use. */
import type { NodeKind } from '../../model/plan.js';
import type { Behaviour } from './behaviour.js';
import { businessRuleTask } from './business-rule-task.js';
import { callActivity } from './call-activity.js';
import { endEvent } from './end-event.js';
import { eventBasedGateway } from './event-based-gateway.js';
import { boundaryEvent, intermediateCatchEvent, intermediateThrowEvent } from './events.js';
import { exclusiveGateway } from './exclusive-gateway.js';
import { inclusiveGateway } from './inclusive-gateway.js';
import { message } from './message.js';
import { multiInstance } from './multi-instance.js';
import { parallelGateway } from './parallel-gateway.js';
import { receiveTask } from './receive-task.js';
import { sendTask } from './send-task.js';
import { serviceTask } from './service-task.js';
import { startEvent } from './start-event.js';
import { subProcess } from './sub-process.js';
import { passThrough } from './task.js';
import { timer } from './timer.js';
import { userTask } from './user-task.js';

const byKind: Record<NodeKind, Behaviour> = {
  startEvent,
  endEvent,
  userTask,
  serviceTask,
  sendTask,
  businessRuleTask,
  receiveTask,
  manualTask: passThrough,
  task: passThrough,
  exclusiveGateway,
  parallelGateway,
  inclusiveGateway,
  eventBasedGateway,
  subProcess,
  callActivity,
  boundaryEvent,
  intermediateCatchEvent,
  intermediateThrowEvent,
};

export const BEHAVIOURS = { ...byKind, inclusiveGateway, multiInstance, timer, message };
