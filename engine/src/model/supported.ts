/**
 * The BPMN elements the engine executes. Anything else found in a process is a deploy-time
 * problem naming its id and type. The designer's lint rules read this list too.
 */
import type { NodeKind } from './plan.js';

/** Flow nodes by moddle type, with the event definitions each may carry ('none' = without one). */
export const SUPPORTED_NODES: Record<string, { kind: NodeKind; events?: readonly string[] }> = {
  'bpmn:StartEvent': { kind: 'startEvent', events: ['none', 'timer', 'message'] },
  'bpmn:EndEvent': { kind: 'endEvent', events: ['none', 'error', 'terminate', 'message', 'escalation'] },
  'bpmn:UserTask': { kind: 'userTask' },
  'bpmn:ServiceTask': { kind: 'serviceTask' },
  'bpmn:SendTask': { kind: 'sendTask' },
  'bpmn:BusinessRuleTask': { kind: 'businessRuleTask' },
  'bpmn:ReceiveTask': { kind: 'receiveTask' },
  'bpmn:ManualTask': { kind: 'manualTask' },
  'bpmn:Task': { kind: 'task' },
  'bpmn:ExclusiveGateway': { kind: 'exclusiveGateway' },
  'bpmn:ParallelGateway': { kind: 'parallelGateway' },
  'bpmn:InclusiveGateway': { kind: 'inclusiveGateway' },
  'bpmn:EventBasedGateway': { kind: 'eventBasedGateway' },
  'bpmn:SubProcess': { kind: 'subProcess' },
  'bpmn:CallActivity': { kind: 'callActivity' },
  'bpmn:BoundaryEvent': { kind: 'boundaryEvent', events: ['timer', 'error', 'message', 'escalation'] },
  'bpmn:IntermediateCatchEvent': { kind: 'intermediateCatchEvent', events: ['timer', 'message'] },
  'bpmn:IntermediateThrowEvent': {
    kind: 'intermediateThrowEvent',
    events: ['none', 'message', 'escalation'],
  },
};

/** Elements that carry no behaviour and are accepted as documentation. */
export const IGNORED_ELEMENTS = new Set([
  'bpmn:SequenceFlow',
  'bpmn:DataObject',
  'bpmn:DataObjectReference',
  'bpmn:DataStoreReference',
  'bpmn:TextAnnotation',
  'bpmn:Association',
  'bpmn:Group',
]);

export const EVENT_DEFINITION_KINDS: Record<string, string> = {
  'bpmn:TimerEventDefinition': 'timer',
  'bpmn:MessageEventDefinition': 'message',
  'bpmn:ErrorEventDefinition': 'error',
  'bpmn:EscalationEventDefinition': 'escalation',
  'bpmn:TerminateEventDefinition': 'terminate',
  'bpmn:SignalEventDefinition': 'signal',
  'bpmn:ConditionalEventDefinition': 'conditional',
  'bpmn:CompensateEventDefinition': 'compensate',
  'bpmn:CancelEventDefinition': 'cancel',
  'bpmn:LinkEventDefinition': 'link',
};
