/**
 * Moddle definitions → validated, immutable Plans (one per executable process).
 * Validation and compilation walk the model once together, so every problem is reported in a
 * single pass and a Plan exists only for a model without problems.
 */
import type { Problem } from '../api.js';
import { compile as compileFeel, expressionOrLiteral, type CompiledExpression } from '../expressions/feel.js';
import { juelHint, otherLanguage } from '../expressions/language.js';
import { timerValueProblem } from '../runtime/timers.js';
import { CONNECTOR_JOB_TYPE, compileConnector } from './connector-spec.js';
import type { ModdleElement } from './parse.js';
import type {
  EventDef,
  GovTask,
  Mapping,
  MultiInstance,
  NodeKind,
  NodeSet,
  Plan,
  PlanFlow,
  PlanNode,
} from './plan.js';
import { EVENT_DEFINITION_KINDS, IGNORED_ELEMENTS, SUPPORTED_NODES } from './supported.js';

/** Deepest nesting of sub-processes accepted (real processes nest a few levels; the walk recurses). */
export const MAX_SUBPROCESS_DEPTH = 32;

/**
 * Most work spent on the upstream sets of inclusive joins: the sum, over the joins, of the size
 * (nodes and flows) of each join's scope. Each set is a walk back over its scope and one bit per
 * node of it, so N joins in one scope cost N × its size: a 4 MB chain of 30 000 joins would take
 * gigabytes. Real models stay far below (a 500-element process with 50 joins: ~60 000).
 */
export const MAX_INCLUSIVE_JOIN_WORK = 20_000_000;

export interface CompileOptions {
  deploymentId: string;
  /** Version given to each compiled process id. */
  versionOf(processId: string): number;
  /** Whether a process id outside this model is already deployed (for call activities). */
  isKnownProcess(processId: string): boolean;
}

export interface CompileResult {
  plans: Plan[];
  problems: Problem[];
}

type MutableNode = { -readonly [K in keyof PlanNode]: PlanNode[K] } & {
  incoming: number[];
  outgoing: number[];
  boundaries: number[];
  starts: number[];
};

/** Compiles every executable process of the definitions. */
export function compileDefinitions(definitions: ModdleElement, options: CompileOptions): CompileResult {
  const problems: Problem[] = [];
  const processes = (definitions.rootElements ?? []).filter(
    (e: ModdleElement) => e.$type === 'bpmn:Process' && e.isExecutable !== false,
  );
  if (processes.length === 0) {
    problems.push({
      elementId: definitions.id ?? '',
      elementType: 'bpmn:Definitions',
      code: 'process.none',
      message: 'the model has no executable process',
    });
  }
  const localIds = new Set<string>(processes.map((p: ModdleElement) => p.id));
  const plans: Plan[] = [];
  for (const process of processes) {
    const compiler = new ProcessCompiler(process, options, localIds, problems);
    const plan = compiler.compile();
    plans.push(plan);
  }
  return { plans: problems.length ? [] : plans, problems };
}

class ProcessCompiler {
  private readonly nodes: MutableNode[] = [];
  private readonly flows: PlanFlow[] = [];
  private readonly byId = new Map<string, number>();
  private readonly elements: ModdleElement[] = [];
  /** Nodes that lost a flow because the element at its other end was rejected. */
  private readonly besideRejected = new Set<number>();
  /** Element ids named by this.problems[0 … reportedUpTo) (see isReported). */
  private readonly reportedIds = new Set<string>();
  private reportedUpTo = 0;

  constructor(
    private readonly process: ModdleElement,
    private readonly options: CompileOptions,
    private readonly localProcessIds: Set<string>,
    private readonly problems: Problem[],
  ) {}

  compile(): Plan {
    this.collect(this.process.flowElements ?? [], -1);
    this.collectFlows(this.process.flowElements ?? [], -1);
    this.attachBoundaries();
    this.checkGateways();
    const starts = this.nodes.filter((n) => n.parent === -1 && n.kind === 'startEvent');
    const noneStarts = starts.filter((n) => n.event.kind === 'none').map((n) => n.index);
    if (starts.length === 0) {
      this.problem(this.process, 'process.noStart', 'the process has no start event');
    }
    if (noneStarts.length > 1) {
      this.problem(
        this.process,
        'process.multipleNoneStarts',
        'the process has more than one none start event',
      );
    }
    const joins = this.nodes.filter((n) => n.kind === 'inclusiveGateway' && n.incoming.length > 1);
    // A model with problems gets no plan: its joins need no upstream sets.
    if (joins.length && this.problems.length === 0) this.computeUpstream(joins);
    const inclusiveJoins = joins.length > 0;
    return Object.freeze({
      processId: this.process.id,
      name: this.process.name,
      deploymentId: this.options.deploymentId,
      version: this.options.versionOf(this.process.id),
      bundle: this.process.bundle,
      nodes: this.nodes.map((n) => Object.freeze(n)),
      flows: this.flows,
      starts: noneStarts,
      messageStarts: starts.filter((n) => n.event.kind === 'message').map((n) => n.index),
      timerStarts: starts.filter((n) => n.event.kind === 'timer').map((n) => n.index),
      byId: this.byId,
      inclusiveJoins,
    });
  }

  private problem(element: ModdleElement, code: string, message: string): void {
    this.problems.push({
      elementId: element?.id ?? '',
      elementType: element?.$type ?? 'unknown',
      code,
      message,
    });
  }

  /** First pass: every flow node gets an index, recursively into sub-processes (at most MAX_SUBPROCESS_DEPTH deep). */
  private collect(elements: ModdleElement[], parent: number, depth = 0): void {
    for (const element of elements) {
      const type: string = element.$type;
      if (IGNORED_ELEMENTS.has(type)) continue;
      const supported = SUPPORTED_NODES[type];
      if (!supported) {
        this.problem(element, 'element.unsupported', `${type} is not supported by the engine`);
        continue;
      }
      if (!element.id) {
        this.problem(element, 'element.noId', `a ${type} has no id`);
        continue;
      }
      if (element.triggeredByEvent) {
        this.problem(element, 'element.unsupported', 'event sub-processes are not supported by the engine');
        continue;
      }
      if (this.byId.has(element.id)) {
        this.problem(element, 'element.duplicateId', `the id "${element.id}" is used twice`);
        continue;
      }
      if (supported.kind === 'subProcess' && depth >= MAX_SUBPROCESS_DEPTH) {
        // Not collected, nor what it holds: one problem, on the outermost sub-process too deep.
        this.problem(
          element,
          'subProcess.tooDeep',
          `the sub-process is nested more than ${MAX_SUBPROCESS_DEPTH} sub-processes deep`,
        );
        continue;
      }
      const index = this.nodes.length;
      this.byId.set(element.id, index);
      this.elements.push(element);
      const node: MutableNode = {
        index,
        id: element.id,
        kind: supported.kind,
        name: element.name,
        parent,
        incoming: [],
        outgoing: [],
        defaultFlow: -1,
        event: this.eventOf(element, supported.events),
        boundaries: [],
        attachedTo: -1,
        cancelActivity: element.cancelActivity !== false,
        starts: [],
        multiInstance: this.multiInstanceOf(element),
        gov: supported.kind === 'userTask' ? this.govOf(element) : null,
        inputs: [],
        outputs: [],
        upstream: null,
      };
      this.nodes.push(node);
      if (supported.kind === 'startEvent' && parent >= 0) this.nodes[parent]!.starts.push(index);
      this.configure(node, element);
      if (supported.kind === 'subProcess') {
        this.collect(element.flowElements ?? [], index, depth + 1);
        if (node.starts.length !== 1) {
          this.problem(element, 'subProcess.start', 'a sub-process needs exactly one none start event');
        }
        for (const s of node.starts) {
          if (this.nodes[s]!.event.kind !== 'none') {
            this.problem(
              this.elements[s],
              'subProcess.start',
              'a start event inside a sub-process must be a none start event',
            );
          }
        }
      }
    }
  }

  private configure(node: MutableNode, element: ModdleElement): void {
    switch (node.kind) {
      case 'serviceTask': {
        node.jobType = element.type ?? element.id;
        if (element.retries !== undefined) node.retries = element.retries;
        const connector = compileConnector(element, (code, message) => this.problem(element, code, message));
        if (connector) {
          node.connector = connector;
          node.jobType = CONNECTOR_JOB_TYPE;
        }
        break;
      }
      case 'businessRuleTask': {
        if (!element.expression || !element.resultVariable) {
          this.problem(
            element,
            'businessRule.incomplete',
            'a business rule task needs gov:expression and gov:resultVariable',
          );
          break;
        }
        node.expression = this.feel(element, element.expression, 'gov:expression');
        node.resultVariable = element.resultVariable;
        break;
      }
      case 'callActivity': {
        const called: string | undefined = element.calledElement;
        if (!called) {
          this.problem(
            element,
            'callActivity.noProcess',
            'the call activity names no process (calledElement)',
          );
        } else if (!this.localProcessIds.has(called) && !this.options.isKnownProcess(called)) {
          this.problem(
            element,
            'callActivity.unknownProcess',
            `the called process "${called}" is not deployed`,
          );
        }
        node.calledElement = called;
        const values: ModdleElement[] = element.extensionElements?.values ?? [];
        node.inputs = this.mappings(
          element,
          values.filter((v) => v.$type === 'gov:Input'),
        );
        node.outputs = this.mappings(
          element,
          values.filter((v) => v.$type === 'gov:Output'),
        );
        break;
      }
      case 'sendTask':
      case 'receiveTask': {
        const message = element.messageRef;
        if (!message?.name) {
          this.problem(element, 'message.missingName', 'the task refers to no message with a name');
        } else {
          node.event = this.messageDef(element, message);
        }
        break;
      }
      case 'userTask':
        if (node.gov?.timeLimitDays !== undefined && !(node.gov.timeLimitDays >= 0)) {
          this.problem(element, 'gov.timeLimit', 'gov:timeLimit must be a whole number of working days ≥ 0');
        }
        // A special step's days do not count toward the promised limit: it must publish its own
        // (GOV-SERVICES 2.12), or an open one would stop the clock with nothing to hold it to.
        if (node.gov?.specialStep && node.gov.timeLimitDays === undefined) {
          this.problem(
            element,
            'gov.specialStepLimit',
            'a special step (gov:specialStep="true") needs its own time limit: set gov:timeLimit (working days)',
          );
        }
        break;
      default:
        break;
    }
    if (element.loopCharacteristics && !node.multiInstance) {
      this.problem(
        element,
        'element.unsupported',
        `${element.loopCharacteristics.$type} is not supported (use multi-instance)`,
      );
    }
    if (
      node.multiInstance &&
      ![
        'userTask',
        'serviceTask',
        'subProcess',
        'callActivity',
        'businessRuleTask',
        'receiveTask',
        'task',
        'manualTask',
        'sendTask',
      ].includes(node.kind)
    ) {
      this.problem(element, 'multiInstance.notActivity', 'multi-instance is only allowed on activities');
    }
  }

  private mappings(element: ModdleElement, values: ModdleElement[]): Mapping[] {
    const result: Mapping[] = [];
    for (const v of values) {
      if (!v.source || !v.target) {
        this.problem(element, 'mapping.incomplete', 'an input/output mapping needs source and target');
        continue;
      }
      result.push({ source: this.feel(element, v.source, 'mapping source'), target: v.target });
    }
    return result;
  }

  private feel(element: ModdleElement, source: string, what: string): CompiledExpression {
    const compiled = compileFeel(source);
    if (compiled.syntaxError) {
      const juel = juelHint(source);
      const hint = juel ? `; ${juel.juel} is not FEEL: write ${juel.feel}` : '';
      this.problem(
        element,
        'feel.syntax',
        `${what} "${source}" is not valid FEEL: ${compiled.syntaxError}${hint}`,
      );
    }
    return compiled;
  }

  /**
   * Whether a FormalExpression names a language other than FEEL (reported). Its body may still
   * parse as FEEL (`1==2`, `this.variables.x <= 50`) and would then run with another meaning.
   */
  private inOtherLanguage(element: ModdleElement, expression: ModdleElement, what: string): boolean {
    const language = otherLanguage(expression.language);
    if (language === null) return false;
    this.problem(
      element,
      'expression.language',
      `the ${what} is written in "${language}"; the engine evaluates FEEL only (leave language out, or set it to "feel")`,
    );
    return true;
  }

  /** A FormalExpression's body as FEEL, unless it names another language. */
  private formal(element: ModdleElement, expression: ModdleElement, what: string): CompiledExpression {
    // Not checked as FEEL too: the model already has a problem, so it gets no plan to run.
    if (this.inOtherLanguage(element, expression, what)) return compileFeel(expression.body);
    return this.feel(element, expression.body, what);
  }

  private govOf(element: ModdleElement): GovTask {
    const roles: string = element.candidateRoles ?? '';
    return {
      department: element.department,
      item: element.item,
      formView: element.formView,
      timeLimitDays: element.timeLimit,
      specialStep: element.specialStep === true,
      candidateRoles: roles
        .split(',')
        .map((r) => r.trim())
        .filter(Boolean),
      assignee: element.assignee,
    };
  }

  private multiInstanceOf(element: ModdleElement): MultiInstance | null {
    const loop = element.loopCharacteristics;
    if (!loop || loop.$type !== 'bpmn:MultiInstanceLoopCharacteristics') return null;
    const cardinality = loop.loopCardinality?.body;
    if (!cardinality && !loop.collection) {
      this.problem(
        element,
        'multiInstance.noInput',
        'multi-instance needs gov:collection or a loop cardinality',
      );
    }
    if (loop.outputElement && !loop.outputCollection) {
      this.problem(element, 'multiInstance.output', 'gov:outputElement needs gov:outputCollection');
    }
    return {
      sequential: loop.isSequential === true,
      cardinality: cardinality ? this.formal(element, loop.loopCardinality, 'loop cardinality') : null,
      collection: loop.collection ? this.feel(element, loop.collection, 'gov:collection') : null,
      elementVariable: loop.elementVariable ?? null,
      outputCollection: loop.outputCollection ?? null,
      outputElement: loop.outputElement ? this.feel(element, loop.outputElement, 'gov:outputElement') : null,
      completionCondition: loop.completionCondition?.body
        ? this.formal(element, loop.completionCondition, 'completion condition')
        : null,
    };
  }

  private eventOf(element: ModdleElement, allowed: readonly string[] | undefined): EventDef {
    // Definitions held by the event, and those it refers to among the model's root elements.
    const definitions: ModdleElement[] = [
      ...(element.eventDefinitions ?? []),
      ...(element.eventDefinitionRef ?? []),
    ];
    if (!allowed) return { kind: 'none' };
    if (definitions.length > 1) {
      this.problem(element, 'event.multiple', 'events with several event definitions are not supported');
      return { kind: 'none' };
    }
    const definition = definitions[0];
    const kind = definition ? (EVENT_DEFINITION_KINDS[definition.$type] ?? definition.$type) : 'none';
    if (!allowed.includes(kind)) {
      const what = kind === 'none' ? 'without an event definition' : `with a ${kind} event definition`;
      this.problem(element, 'element.unsupported', `${element.$type} ${what} is not supported`);
      return { kind: 'none' };
    }
    switch (kind) {
      case 'timer':
        return this.timerDef(element, definition);
      case 'message':
        if (!definition.messageRef?.name) {
          this.problem(element, 'message.missingName', 'the message event refers to no message with a name');
          return { kind: 'message', messageName: '', correlationKey: null };
        }
        return this.messageDef(element, definition.messageRef);
      case 'error':
        return { kind: 'error', code: definition.errorRef?.errorCode ?? null };
      case 'escalation':
        return { kind: 'escalation', code: definition.escalationRef?.escalationCode ?? null };
      case 'terminate':
        return { kind: 'terminate' };
      default:
        return { kind: 'none' };
    }
  }

  private messageDef(element: ModdleElement, message: ModdleElement): EventDef {
    return {
      kind: 'message',
      messageName: message.name,
      correlationKey: message.correlationKey
        ? this.feel(element, message.correlationKey, 'gov:correlationKey')
        : null,
    };
  }

  private timerDef(element: ModdleElement, definition: ModdleElement): EventDef {
    const options = [
      ['date', definition.timeDate],
      ['duration', definition.timeDuration],
      ['cycle', definition.timeCycle],
    ] as const;
    const given = options.filter(([, expr]) => expr?.body?.trim());
    if (given.length !== 1) {
      this.problem(
        element,
        'timer.definition',
        'a timer needs exactly one of timeDate, timeDuration or timeCycle',
      );
      return { kind: 'none' };
    }
    const [kind, expr] = given[0]!;
    const body: string = expr.body.trim();
    if (this.inOtherLanguage(element, expr, `timer ${kind}`)) {
      return { kind: 'timer', timer: { kind, expr: expressionOrLiteral(body) } };
    }
    if (body.startsWith('=')) {
      return { kind: 'timer', timer: { kind, expr: this.feel(element, body, `timer ${kind}`) } };
    }
    const invalid = timerValueProblem(kind, body);
    if (invalid) this.problem(element, 'timer.invalid', invalid);
    return { kind: 'timer', timer: { kind, expr: expressionOrLiteral(body) } };
  }

  /** Second pass: sequence flows, with their conditions, inside each scope. */
  private collectFlows(elements: ModdleElement[], parent: number): void {
    for (const element of elements) {
      if (element.$type === 'bpmn:SubProcess' && this.byId.has(element.id)) {
        this.collectFlows(element.flowElements ?? [], this.byId.get(element.id)!);
      }
      if (element.$type !== 'bpmn:SequenceFlow') continue;
      const source = element.sourceRef ? this.byId.get(element.sourceRef.id) : undefined;
      const target = element.targetRef ? this.byId.get(element.targetRef.id) : undefined;
      if (source === undefined || target === undefined) {
        const end = source === undefined ? 'source' : 'target';
        const ref = (source === undefined ? element.sourceRef : element.targetRef)?.id;
        // A reference to an element that is unsupported was already reported on that element.
        const other = source === undefined ? target : source;
        if (other !== undefined) this.besideRejected.add(other);
        if (!ref || !this.isReported(ref)) {
          this.problem(
            element,
            'flow.dangling',
            `the sequence flow's ${end} ${ref ? `"${ref}" ` : ''}does not exist`,
          );
        }
        continue;
      }
      if (this.nodes[source]!.parent !== parent || this.nodes[target]!.parent !== parent) {
        this.problem(element, 'flow.crossesScope', 'a sequence flow may not cross a sub-process boundary');
        continue;
      }
      if (this.nodes[target]!.kind === 'startEvent' || this.nodes[target]!.kind === 'boundaryEvent') {
        this.problem(
          element,
          'flow.intoEvent',
          `a sequence flow may not lead into a ${this.nodes[target]!.kind}`,
        );
        continue;
      }
      if (this.nodes[source]!.kind === 'endEvent') {
        this.problem(element, 'flow.outOfEnd', 'a sequence flow may not leave an end event');
        continue;
      }
      const condition = element.conditionExpression;
      const index = this.flows.length;
      this.flows.push(
        Object.freeze({
          index,
          // A flow without an id is still named in problems and history by its ends.
          id: element.id ?? `${this.nodes[source]!.id}->${this.nodes[target]!.id}`,
          source,
          target,
          condition: condition?.body?.trim() ? this.formal(element, condition, 'condition') : null,
        }),
      );
      this.nodes[source]!.outgoing.push(index);
      this.nodes[target]!.incoming.push(index);
      const owner = this.elements[source];
      if (owner.default && owner.default.id === element.id) this.nodes[source]!.defaultFlow = index;
    }
  }

  private attachBoundaries(): void {
    for (const node of this.nodes) {
      if (node.kind !== 'boundaryEvent') continue;
      const element = this.elements[node.index];
      const host = element.attachedToRef ? this.byId.get(element.attachedToRef.id) : undefined;
      if (host === undefined || !isActivity(this.nodes[host]!.kind)) {
        this.problem(element, 'boundary.host', 'the boundary event is not attached to a supported activity');
        continue;
      }
      if (this.nodes[host]!.parent !== node.parent) {
        // Its outgoing path would run in the scope the event is drawn in, while the host's does not.
        this.problem(
          element,
          'boundary.scope',
          `the boundary event must be in the same process or sub-process as ${this.nodes[host]!.id}, the activity it is attached to`,
        );
        continue;
      }
      if (node.event.kind === 'error' && !node.cancelActivity) {
        this.problem(
          element,
          'boundary.errorNonInterrupting',
          'an error boundary event is always interrupting',
        );
      }
      node.attachedTo = host;
      this.nodes[host]!.boundaries.push(node.index);
      if (node.outgoing.length === 0) {
        this.problem(element, 'boundary.noOutgoing', 'the boundary event has no outgoing sequence flow');
      }
    }
  }

  private checkGateways(): void {
    for (const node of this.nodes) {
      const element = this.elements[node.index];
      if (element.default && node.defaultFlow === -1 && this.byId.has(node.id)) {
        this.problem(element, 'gateway.default', 'the default flow is not an outgoing flow of this element');
      }
      if (node.kind === 'exclusiveGateway' || node.kind === 'inclusiveGateway') {
        if (node.outgoing.length > 1) {
          for (const f of node.outgoing) {
            const flow = this.flows[f]!;
            if (!flow.condition && f !== node.defaultFlow) {
              this.problems.push({
                elementId: flow.id,
                elementType: 'bpmn:SequenceFlow',
                code: 'gateway.missingCondition',
                message: `flow "${flow.id}" leaving split ${node.id} has no condition and is not the default flow`,
              });
            }
          }
        }
      }
      if (node.kind === 'parallelGateway' || node.kind === 'eventBasedGateway') {
        // Such a gateway takes every flow (parallel) or the first event's (event-based): a condition would be ignored.
        for (const f of node.outgoing) {
          const flow = this.flows[f]!;
          if (!flow.condition) continue;
          this.problems.push({
            elementId: flow.id,
            elementType: 'bpmn:SequenceFlow',
            code:
              node.kind === 'parallelGateway' ? 'gateway.parallelCondition' : 'gateway.eventBasedCondition',
            message:
              node.kind === 'parallelGateway'
                ? `conditions are not allowed on flows leaving a parallel gateway (${node.id}); use an inclusive gateway`
                : `conditions are not allowed on flows leaving an event-based gateway (${node.id}); the first event to happen decides the path`,
          });
        }
      }
      if (node.kind === 'eventBasedGateway') {
        const ok = node.outgoing.every((f) => {
          const target = this.nodes[this.flows[f]!.target]!;
          return (
            (target.kind === 'intermediateCatchEvent' && target.event.kind !== 'none') ||
            target.kind === 'receiveTask'
          );
        });
        if (!ok || node.outgoing.length < 2) {
          this.problem(
            element,
            'gateway.eventBased',
            'an event-based gateway needs two or more outgoing flows, each to a timer/message catch event or receive task',
          );
        }
      }
      if (
        node.incoming.length === 0 &&
        node.kind !== 'startEvent' &&
        node.kind !== 'boundaryEvent' &&
        !this.besideRejected.has(node.index)
      ) {
        this.problem(
          element,
          'flow.unreachable',
          `no sequence flow leads to ${node.id}: it can never be reached`,
        );
      }
      if (
        node.outgoing.length === 0 &&
        !this.besideRejected.has(node.index) &&
        node.kind !== 'endEvent' &&
        node.kind !== 'boundaryEvent' &&
        (node.kind.endsWith('Gateway') || node.kind === 'startEvent')
      ) {
        this.problem(element, 'flow.noOutgoing', `the ${node.kind} has no outgoing sequence flow`);
      }
    }
  }

  /** Whether a problem names this element id (kept as a set: a model can have very many problems). */
  private isReported(elementId: string): boolean {
    for (; this.reportedUpTo < this.problems.length; this.reportedUpTo++)
      this.reportedIds.add(this.problems[this.reportedUpTo]!.elementId);
    return this.reportedIds.has(elementId);
  }

  /**
   * Gives each inclusive join its upstream set: the nodes of its scope from which it can be
   * reached without passing through it (boundary → host counts as a step). Flows stay inside
   * their scope and a boundary event in its host's, so the walk never leaves the join's scope.
   * Bounded by MAX_INCLUSIVE_JOIN_WORK, beyond which the model is refused.
   */
  private computeUpstream(joins: MutableNode[]): void {
    const count = this.nodes.length;
    const scopeOf = new Int32Array(count);
    const position = new Int32Array(count);
    const scopeSize = new Map<number, number>();
    const scopeWork = new Map<number, number>();
    for (const node of this.nodes) {
      const size = scopeSize.get(node.parent) ?? 0;
      scopeOf[node.index] = node.parent;
      position[node.index] = size;
      scopeSize.set(node.parent, size + 1);
      // A walk visits each node of the scope at most once and reads its incoming flows.
      scopeWork.set(node.parent, (scopeWork.get(node.parent) ?? 0) + 1 + node.incoming.length);
    }
    const work = joins.reduce((sum, join) => sum + scopeWork.get(join.parent)!, 0);
    if (work > MAX_INCLUSIVE_JOIN_WORK) {
      this.problem(
        this.process,
        'inclusive.tooMany',
        `too many inclusive joins for this model size: ${joins.length} joins, each needing a walk over the elements of its scope (at most ${MAX_INCLUSIVE_JOIN_WORK} steps in all)`,
      );
      return;
    }
    const stack = new Int32Array(count);
    for (const join of joins) {
      const scope = join.parent;
      const bits = new Uint32Array(Math.ceil(scopeSize.get(scope)! / 32));
      let size = 0;
      let top = 0;
      stack[top++] = join.index;
      while (top) {
        const node = this.nodes[stack[--top]!]!;
        for (let i = 0; i <= node.incoming.length; i++) {
          const p = i < node.incoming.length ? this.flows[node.incoming[i]!]!.source : node.attachedTo;
          if (p < 0 || p === join.index) continue;
          const at = position[p]!;
          const mask = 1 << (at & 31);
          if (bits[at >>> 5]! & mask) continue;
          bits[at >>> 5]! |= mask;
          size++;
          stack[top++] = p;
        }
      }
      join.upstream = new ScopeNodeSet(scope, scopeOf, position, bits, size);
    }
  }
}

/** Nodes of one scope as a bitset over their positions in it (see computeUpstream). */
class ScopeNodeSet implements NodeSet {
  constructor(
    private readonly scope: number,
    private readonly scopeOf: Int32Array,
    private readonly position: Int32Array,
    private readonly bits: Uint32Array,
    readonly size: number,
  ) {}

  has(index: number): boolean {
    if (this.scopeOf[index] !== this.scope) return false;
    const at = this.position[index]!;
    return (this.bits[at >>> 5]! & (1 << (at & 31))) !== 0;
  }
}

export function isActivity(kind: NodeKind): boolean {
  return (
    kind === 'userTask' ||
    kind === 'serviceTask' ||
    kind === 'sendTask' ||
    kind === 'businessRuleTask' ||
    kind === 'receiveTask' ||
    kind === 'manualTask' ||
    kind === 'task' ||
    kind === 'subProcess' ||
    kind === 'callActivity'
  );
}
