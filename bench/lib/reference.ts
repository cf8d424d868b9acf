/**
 * Drives bpmn-engine (the reference) on the same structure: the model is parsed and serialised
 * once (its documented `sourceContext` path, so it too compiles once and runs many), each instance
 * is a new Engine over that context, and every user task is signalled from the execution listener
 * as soon as it waits — no timers, no I/O, everything in-process.
 */
import { EventEmitter } from 'node:events';
import { Engine } from 'bpmn-engine';
import * as Elements from 'bpmn-elements';
import { BpmnModdle } from 'bpmn-moddle';
import serializer, { TypeResolver } from 'moddle-context-serializer';
import type { Side, Work } from './harness.js';
import { completion, type Scenario } from './onething.js';

type SourceContext = ReturnType<typeof serializer>;

export async function referenceContext(xml: string): Promise<SourceContext> {
  const moddleContext = await new BpmnModdle().fromXML(xml);
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- bpmn-moddle 10's context type differs nominally from the serializer's
  return serializer(moddleContext as any, TypeResolver(Elements as any));
}

/** One instance, start to end; returns the number of user tasks signalled. */
async function runOne(
  sourceContext: SourceContext,
  variables: Record<string, unknown>,
  complete: (elementId: string) => Record<string, unknown>,
): Promise<number> {
  const engine = new Engine({ name: 'reference', sourceContext });
  let signalled = 0;
  const listener = new EventEmitter();
  listener.on('activity.wait', (api) => {
    // User tasks only, as OneThing's drive completes only its open tasks: a message or signal
    // catch (a boundary event waiting beside a task) stays waiting on both engines.
    if (api.type !== 'bpmn:UserTask') return;
    signalled++;
    api.signal(complete(api.id));
  });
  const ended = engine.waitFor('end');
  await engine.execute({ listener, variables });
  await ended;
  return signalled;
}

export function referenceSide(scenario: Scenario, options: { count: number; warmup: number }): Side {
  let context: SourceContext | undefined;
  let offset = 0;
  return {
    label: 'bpmn-engine 25, in-process signals',
    count: options.count,
    warmup: options.warmup,
    async prepare() {
      context ??= await referenceContext(scenario.referenceXml);
    },
    async run(count): Promise<Work> {
      let tasks = 0;
      for (let i = 0; i < count; i++) {
        const variant = scenario.variants[(offset + i) % scenario.variants.length]!;
        const variables = variant.referenceVariables ?? variant.variables;
        const signalled = await runOne(context!, variables, scenario.complete ?? completion);
        if (signalled !== variant.tasks)
          throw new Error(`bpmn-engine: ${signalled} tasks signalled, expected ${variant.tasks}`);
        tasks += signalled;
      }
      offset += count;
      return { ops: count, tasks };
    },
  };
}
