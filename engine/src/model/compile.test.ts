/**
 * What the compiler must refuse or resolve rather than run differently from the drawing:
 * referenced event definitions, boundary events across scopes, conditions a gateway would
 * ignore, typed gov attributes and nesting depth.
 */
import { createEngine } from '../index.js';
import { chain, definitions, flow, message, model, process, timer } from '../testing/bpmn.js';
import { parseAndCompile, validate } from './index.js';

const codes = async (xml: string) => (await validate(xml)).map((p) => [p.code, p.elementId]);

describe('event definitions given by reference (eventDefinitionRef)', () => {
  /** A parallel split whose second branch ends at `kill`, an end event holding `kill`'s body. */
  const terminating = (kill: string, rootElements: string) =>
    definitions(
      process(
        'p',
        `<bpmn:startEvent id="start"/><bpmn:parallelGateway id="split"/>
        <bpmn:userTask id="a" gov:department="window"/><bpmn:endEvent id="end"/>
        <bpmn:endEvent id="kill">${kill}</bpmn:endEvent>
        ${chain('start', 'split', 'a', 'end')}${chain('split', 'kill')}`,
      ),
      rootElements,
    );

  it('an end event referring to a terminate definition is a terminate end event, and ends the instance', async () => {
    const xml = terminating(
      '<bpmn:eventDefinitionRef>term</bpmn:eventDefinitionRef>',
      '<bpmn:terminateEventDefinition id="term"/>',
    );
    const { plans, problems } = await parseAndCompile(xml);
    expect(problems).toEqual([]);
    expect(plans[0]!.nodes[plans[0]!.byId.get('kill')!]!.event).toEqual({ kind: 'terminate' });
    const engine = createEngine();
    await engine.deploy(xml);
    expect((await engine.start('p')).status).toBe('completed');
  });

  it('referred timer and message definitions compile as if held by the event', async () => {
    const xml = (ref: string) =>
      model(
        'p',
        `<bpmn:startEvent id="start"/>
        <bpmn:intermediateCatchEvent id="wait"><bpmn:eventDefinitionRef>${ref}</bpmn:eventDefinitionRef></bpmn:intermediateCatchEvent>
        <bpmn:endEvent id="end"/>${chain('start', 'wait', 'end')}`,
        `<bpmn:timerEventDefinition id="t"><bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition>
        <bpmn:messageEventDefinition id="m" messageRef="msg"/>${message('msg', 'withdraw')}`,
      );
    const event = async (ref: string) => {
      const { plans, problems } = await parseAndCompile(xml(ref));
      expect(problems).toEqual([]);
      return plans[0]!.nodes[plans[0]!.byId.get('wait')!]!.event;
    };
    expect(await event('t')).toMatchObject({ kind: 'timer', timer: { kind: 'duration' } });
    expect(await event('m')).toMatchObject({ kind: 'message', messageName: 'withdraw' });
  });

  it('a definition both held and referred to is "several definitions"; a missing one is reported', async () => {
    expect(
      await codes(
        terminating(
          '<bpmn:terminateEventDefinition/><bpmn:eventDefinitionRef>term</bpmn:eventDefinitionRef>',
          '<bpmn:terminateEventDefinition id="term"/>',
        ),
      ),
    ).toEqual([['event.multiple', 'kill']]);
    expect(
      await codes(terminating('<bpmn:eventDefinitionRef>nowhere</bpmn:eventDefinitionRef>', '')),
    ).toEqual([['reference.unresolved', 'kill']]);
  });
});

describe('boundary events', () => {
  const body = (boundaryInside: boolean) => {
    const boundary = `<bpmn:boundaryEvent id="cancelMsg" attachedToRef="inner"><bpmn:messageEventDefinition messageRef="m"/></bpmn:boundaryEvent>
      <bpmn:userTask id="after" gov:department="window"/><bpmn:endEvent id="end2"/>${chain('cancelMsg', 'after', 'end2')}`;
    return model(
      'p',
      `<bpmn:startEvent id="start"/>
      <bpmn:subProcess id="sub">
        <bpmn:startEvent id="s2"/><bpmn:userTask id="inner" gov:department="window"/><bpmn:endEvent id="e2"/>
        ${chain('s2', 'inner', 'e2')}${boundaryInside ? boundary : ''}
      </bpmn:subProcess>
      ${boundaryInside ? '' : boundary}
      <bpmn:endEvent id="end"/>${chain('start', 'sub', 'end')}`,
      message('m', 'withdraw'),
    );
  };

  it('a boundary event drawn outside the sub-process that holds its activity is refused', async () => {
    expect(await codes(body(false))).toEqual([['boundary.scope', 'cancelMsg']]);
  });

  it('a boundary event in its activity’s own scope is fine', async () => {
    expect(await validate(body(true))).toEqual([]);
  });
});

describe('conditions a gateway would ignore', () => {
  it('conditions on flows leaving a parallel gateway are refused, naming each flow', async () => {
    const xml = model(
      'p',
      `<bpmn:startEvent id="start"/><bpmn:parallelGateway id="split"/>
      <bpmn:userTask id="police" gov:department="window"/><bpmn:userTask id="tax" gov:department="window"/>
      <bpmn:parallelGateway id="join"/><bpmn:endEvent id="end"/>
      ${chain('start', 'split')}${flow('split', 'police', '= needPolice')}${flow('split', 'tax', '= needTax')}
      ${chain('police', 'join')}${chain('tax', 'join', 'end')}`,
    );
    const problems = await validate(xml);
    expect(problems.map((p) => [p.code, p.elementId])).toEqual([
      ['gateway.parallelCondition', 'split_police'],
      ['gateway.parallelCondition', 'split_tax'],
    ]);
    expect(problems[0]!.message).toMatch(/inclusive gateway/);
  });

  it('conditions on flows leaving an event-based gateway are refused', async () => {
    const xml = model(
      'p',
      `<bpmn:startEvent id="start"/><bpmn:eventBasedGateway id="race"/>
      <bpmn:intermediateCatchEvent id="reply"><bpmn:messageEventDefinition messageRef="m"/></bpmn:intermediateCatchEvent>
      <bpmn:intermediateCatchEvent id="late">${timer('timeDuration', 'P5D')}</bpmn:intermediateCatchEvent>
      <bpmn:endEvent id="end1"/><bpmn:endEvent id="end2"/>
      ${chain('start', 'race')}${flow('race', 'reply', '= urgent')}${flow('race', 'late')}
      ${chain('reply', 'end1')}${chain('late', 'end2')}`,
      message('m', 'reply'),
    );
    expect(await codes(xml)).toEqual([['gateway.eventBasedCondition', 'race_reply']]);
  });
});

describe('typed gov attributes', () => {
  const task = (name: string, attrs: string) =>
    model(
      'p',
      `<bpmn:startEvent id="start"/><bpmn:userTask id="t" name="${name}" gov:department="window" ${attrs}/>
      <bpmn:endEvent id="end"/>${chain('start', 't', 'end')}`,
    );

  it('are checked even when an earlier attribute holds ">"', async () => {
    for (const name of ['审核', '金额&gt;10万审核', '金额>10万审核']) {
      const { plans, problems } = await parseAndCompile(task(name, 'gov:timeLimit="2.5"'));
      expect(plans).toEqual([]);
      expect(problems.map((p) => [p.code, p.elementId, p.elementType])).toEqual([
        ['gov.attributeType', 't', 'bpmn:UserTask'],
      ]);
    }
  });

  it('valid values keep their type', async () => {
    const { plans, problems } = await parseAndCompile(
      task('金额>10万审核', 'gov:timeLimit=" 5 " gov:specialStep="true"'),
    );
    expect(problems).toEqual([]);
    expect(plans[0]!.nodes[plans[0]!.byId.get('t')!]!.gov).toMatchObject({
      timeLimitDays: 5,
      specialStep: true,
    });
  });
});

describe('sub-process nesting', () => {
  /** `depth` sub-processes, each holding the next: start → inner → end at every level. */
  function nested(depth: number): string {
    let body = '<bpmn:startEvent id="si"/><bpmn:endEvent id="ei"/>' + chain('si', 'ei');
    for (let level = depth; level >= 1; level--) {
      body =
        `<bpmn:startEvent id="s${level}"/><bpmn:subProcess id="sub${level}">${body}</bpmn:subProcess>` +
        `<bpmn:endEvent id="e${level}"/>${chain(`s${level}`, `sub${level}`, `e${level}`)}`;
    }
    return model('p', body);
  }

  it('a model nested 32 sub-processes deep compiles; one more level is a problem on that sub-process', async () => {
    expect(await validate(nested(32))).toEqual([]);
    const problems = await validate(nested(33));
    expect(problems.map((p) => [p.code, p.elementId])).toEqual([['subProcess.tooDeep', 'sub33']]);
  });
});
