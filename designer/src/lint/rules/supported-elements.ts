import {
  EVENT_DEFINITION_KINDS,
  IGNORED_ELEMENTS,
  SUPPORTED_NODES,
} from '../../../../engine/src/model/supported.js';
import { isA, say, type GovRuleOptions, type RuleDefinition } from '../types.js';

/**
 * Only elements the engine executes: the engine's own table (engine/src/model/supported.ts), with
 * the event definitions each event may carry, no event sub-processes, and loops only as multi-instance.
 */
export default function supportedElements(options: GovRuleOptions = {}): RuleDefinition {
  return {
    check(node, reporter) {
      if (!isA(node, 'bpmn:FlowElement')) return;
      const type: string = node.$type;
      if (IGNORED_ELEMENTS.has(type)) return;
      const supported = SUPPORTED_NODES[type];
      if (!supported) {
        reporter.report(
          node.id,
          say(options, `引擎不支持 ${type}`, `${type} is not supported by the engine`),
        );
        return;
      }
      if (node.triggeredByEvent) {
        reporter.report(
          node.id,
          say(options, '引擎不支持事件子流程', 'Event sub-processes are not supported by the engine'),
        );
      }
      if (
        node.loopCharacteristics &&
        !isA(node.loopCharacteristics, 'bpmn:MultiInstanceLoopCharacteristics')
      ) {
        reporter.report(
          node.id,
          say(options, '不支持标准循环，请用多实例', 'Standard loops are not supported (use multi-instance)'),
        );
      }
      if (!supported.events) return;
      const definitions: { $type: string }[] = node.eventDefinitions ?? [];
      if (definitions.length > 1) {
        reporter.report(
          node.id,
          say(
            options,
            '不支持带多个事件定义的事件',
            'Events with several event definitions are not supported',
          ),
        );
        return;
      }
      const kind = definitions[0]
        ? (EVENT_DEFINITION_KINDS[definitions[0].$type] ?? definitions[0].$type)
        : 'none';
      if (!supported.events.includes(kind)) {
        const what =
          kind === 'none'
            ? say(options, '无事件定义的', 'without an event definition')
            : say(options, `${kind} 类型的`, `with a ${kind} event definition`);
        reporter.report(
          node.id,
          say(options, `引擎不支持${what} ${type}`, `${type} ${what} is not supported`),
        );
      }
    },
  };
}
