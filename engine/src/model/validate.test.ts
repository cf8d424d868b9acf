import type { Problem } from '../api.js';
import {
  chain,
  definitions,
  endEvent,
  flow,
  message,
  model,
  process,
  startEvent,
  timer,
  userTask,
  xmlEscape,
} from '../testing/bpmn.js';
import { MAX_MODEL_BYTES, parseAndCompile, validate } from './index.js';

function ids(problems: Problem[]): string[] {
  return problems.map((p) => p.elementId);
}

function expectWellFormed(problems: Problem[]): void {
  for (const p of problems) {
    expect(typeof p.elementId).toBe('string');
    expect(typeof p.elementType).toBe('string');
    expect(typeof p.code).toBe('string');
    expect(p.code.length).toBeGreaterThan(0);
    expect(typeof p.message).toBe('string');
    expect(p.message.length).toBeGreaterThan(0);
  }
}

const valid = model(
  'ok',
  `
  ${startEvent('start')}
  <bpmn:exclusiveGateway id="gw" default="toB"/>
  ${userTask('a', { department: 'tax' })}${userTask('b')}
  ${endEvent('end')}
  ${chain('start', 'gw')}
  ${flow('gw', 'a', '= amount > 100')}
  ${flow('gw', 'b', undefined, 'toB')}
  ${chain('a', 'end')}${chain('b', 'end')}`,
);

describe('validate', () => {
  it('a valid model has no problems', async () => {
    expect(await validate(valid)).toEqual([]);
  });

  it('malformed XML is a problem, not a crash', async () => {
    const problems = await validate(valid.replace('</bpmn:process>', ''));
    expect(problems.length).toBeGreaterThan(0);
    expectWellFormed(problems);
  });

  it('non-XML input and the empty string are problems, not crashes', async () => {
    for (const input of ['', 'hello', '{"json": true}', '<bpmn:definitions']) {
      const problems = await validate(input);
      expect(problems.length).toBeGreaterThan(0);
      expectWellFormed(problems);
    }
  });

  it('a DOCTYPE with entities (billion laughs) is rejected before parsing', async () => {
    const lol =
      `<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n` +
      Array.from(
        { length: 9 },
        (_, i) => ` <!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`,
      ).join('\n') +
      `\n]>\n` +
      valid
        .replace('<?xml version="1.0" encoding="UTF-8"?>', '')
        .replace('<bpmn:userTask id="b"/>', '<bpmn:userTask id="b" name="&lol9;"/>');
    // Expanded, &lol9; is 10⁹ letters: a parser that expanded it would not finish before the test's timeout.
    const problems = await validate(lol);
    expect(problems.length).toBeGreaterThan(0);
    expectWellFormed(problems);
    expect(problems.map((p) => `${p.code} ${p.message}`).join('\n')).toMatch(/doctype|entit/i);
  });

  it('a plain DOCTYPE without entities is rejected too', async () => {
    const problems = await validate(
      valid.replace('<bpmn:definitions', '<!DOCTYPE definitions>\n<bpmn:definitions'),
    );
    expect(problems.map((p) => `${p.code} ${p.message}`).join('\n')).toMatch(/doctype/i);
  });

  it('an oversize model is rejected before parsing', async () => {
    const padding = `<bpmn:documentation>${'x'.repeat(MAX_MODEL_BYTES + 1024)}</bpmn:documentation>`;
    const huge = valid.replace(
      '<bpmn:startEvent id="start"/>',
      `<bpmn:startEvent id="start">${padding}</bpmn:startEvent>`,
    );
    const problems = await validate(huge);
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.map((p) => `${p.code} ${p.message}`).join('\n')).toMatch(/size|large|limit|big/i);
  });

  it.each([
    ['complexGateway', '<bpmn:complexGateway id="x"/>', /ComplexGateway/],
    [
      'conditional catch event',
      `<bpmn:intermediateCatchEvent id="x"><bpmn:conditionalEventDefinition><bpmn:condition xsi:type="bpmn:tFormalExpression">= a</bpmn:condition></bpmn:conditionalEventDefinition></bpmn:intermediateCatchEvent>`,
      /Conditional|IntermediateCatchEvent/,
    ],
    [
      'standard loop on a task',
      '<bpmn:userTask id="x"><bpmn:standardLoopCharacteristics/></bpmn:userTask>',
      /StandardLoop|UserTask/,
    ],
    [
      'script task',
      '<bpmn:scriptTask id="x" scriptFormat="javascript"><bpmn:script>1</bpmn:script></bpmn:scriptTask>',
      /ScriptTask/,
    ],
    [
      'signal catch event',
      '<bpmn:intermediateCatchEvent id="x"><bpmn:signalEventDefinition/></bpmn:intermediateCatchEvent>',
      /Signal|IntermediateCatchEvent/,
    ],
    [
      'compensation throw',
      '<bpmn:intermediateThrowEvent id="x"><bpmn:compensateEventDefinition/></bpmn:intermediateThrowEvent>',
      /Compensat|IntermediateThrowEvent/,
    ],
    [
      'transaction',
      `<bpmn:transaction id="x">${startEvent('ts')}${endEvent('te')}${chain('ts', 'te')}</bpmn:transaction>`,
      /Transaction/,
    ],
  ])('unsupported element (%s) is reported by id and type', async (_name, element, type) => {
    const problems = await validate(
      model(
        'p',
        `
      ${startEvent('start')}${element}${endEvent('end')}
      ${chain('start', 'x', 'end')}`,
      ),
    );
    expectWellFormed(problems);
    const mine = problems.filter((p) => p.elementId === 'x');
    expect(mine.length).toBeGreaterThan(0);
    expect(mine.map((p) => p.elementType).join(' ')).toMatch(type);
  });

  it('an exclusive split without conditions or default is reported (on the gateway or on its flows)', async () => {
    const problems = await validate(
      model(
        'p',
        `
      ${startEvent('start')}<bpmn:exclusiveGateway id="split"/>
      ${endEvent('a')}${endEvent('b')}
      ${chain('start', 'split')}${flow('split', 'a', undefined, 'toA')}${flow('split', 'b', undefined, 'toB')}`,
      ),
    );
    expectWellFormed(problems);
    const named = problems.filter((p) => ['split', 'toA', 'toB'].includes(p.elementId));
    expect(named.length).toBeGreaterThan(0);
    expect(named.map((p) => p.message).join(' ')).toMatch(/split|condition|default/i);
  });

  it('an unsupported element causes no spurious problems on its neighbours', async () => {
    const problems = await validate(
      model(
        'p',
        `
      ${startEvent('start')}<bpmn:complexGateway id="x"/>${endEvent('end')}
      ${chain('start', 'x', 'end')}`,
      ),
    );
    expect(ids(problems)).toEqual(['x']);
  });

  it('an inclusive split with an unconditional non-default flow is reported', async () => {
    const problems = await validate(
      model(
        'p',
        `
      ${startEvent('start')}<bpmn:inclusiveGateway id="gw"/>
      ${endEvent('a')}${endEvent('b')}
      ${chain('start', 'gw')}${flow('gw', 'a', '= x')}${flow('gw', 'b')}`,
      ),
    );
    expect(ids(problems).some((id) => id === 'gw' || id === 'gw_b')).toBe(true);
  });

  it('a flow to nowhere (targetRef to a missing id) is reported on the flow', async () => {
    const problems = await validate(
      model(
        'p',
        `
      ${startEvent('start')}${endEvent('end')}
      ${chain('start', 'end')}
      <bpmn:sequenceFlow id="lost" sourceRef="start" targetRef="ghost"/>`,
      ),
    );
    expectWellFormed(problems);
    expect(ids(problems)).toContain('lost');
  });

  it('an unparsable FEEL condition is reported on its flow', async () => {
    const problems = await validate(
      model(
        'p',
        `
      ${startEvent('start')}<bpmn:exclusiveGateway id="gw" default="gw_b"/>
      ${endEvent('a')}${endEvent('b')}
      ${chain('start', 'gw')}${flow('gw', 'a', '= amount > ')}${flow('gw', 'b')}`,
      ),
    );
    expectWellFormed(problems);
    expect(ids(problems)).toContain('gw_a');
  });

  it('unparsable FEEL in gov attributes is reported on the element', async () => {
    const problems = await validate(
      model(
        'p',
        `
      ${startEvent('start')}
      <bpmn:businessRuleTask id="rule" gov:expression="= (1 + " gov:resultVariable="r"/>
      <bpmn:userTask id="mi"><bpmn:multiInstanceLoopCharacteristics gov:collection="= [1, 2" gov:elementVariable="e"/></bpmn:userTask>
      ${endEvent('end')}
      ${chain('start', 'rule', 'mi', 'end')}`,
      ),
    );
    expectWellFormed(problems);
    expect(ids(problems)).toEqual(expect.arrayContaining(['rule', 'mi']));
  });

  it('an invalid timer value is reported on the event', async () => {
    const problems = await validate(
      model(
        'p',
        `
      ${startEvent('start')}
      <bpmn:intermediateCatchEvent id="wait">${timer('timeDuration', 'one hour')}</bpmn:intermediateCatchEvent>
      ${endEvent('end')}
      ${chain('start', 'wait', 'end')}`,
      ),
    );
    expect(ids(problems)).toContain('wait');
  });

  it('a message event without a message, or with a nameless message, is reported', async () => {
    const problems = await validate(
      definitions(
        process(
          'p',
          `
        ${startEvent('start')}
        <bpmn:intermediateCatchEvent id="noRef"><bpmn:messageEventDefinition/></bpmn:intermediateCatchEvent>
        <bpmn:receiveTask id="noName" messageRef="M_nameless"/>
        ${endEvent('end')}
        ${chain('start', 'noRef', 'noName', 'end')}`,
        ),
        '<bpmn:message id="M_nameless"/>',
      ),
    );
    expectWellFormed(problems);
    expect(ids(problems)).toContain('noRef');
    expect(ids(problems).some((id) => id === 'noName' || id === 'M_nameless')).toBe(true);
  });

  it('a call activity to an unknown process is reported', async () => {
    const problems = await validate(
      model(
        'p',
        `
      ${startEvent('start')}<bpmn:callActivity id="call" calledElement="doesNotExist"/>${endEvent('end')}
      ${chain('start', 'call', 'end')}`,
      ),
    );
    expectWellFormed(problems);
    expect(ids(problems)).toContain('call');
    expect(problems.find((p) => p.elementId === 'call')!.elementType).toMatch(/CallActivity/);
  });

  it('a call activity to a process in the same model is fine', async () => {
    const problems = await validate(
      definitions(
        process('child', `${startEvent('cs')}${endEvent('ce')}${chain('cs', 'ce')}`) +
          process(
            'p',
            `${startEvent('start')}<bpmn:callActivity id="call" calledElement="child"/>${endEvent('end')}
        ${chain('start', 'call', 'end')}`,
          ),
      ),
    );
    expect(problems).toEqual([]);
  });

  it('a model with several problems reports all of them at once', async () => {
    const problems = await validate(
      definitions(
        process(
          'p',
          `
        ${startEvent('start')}
        <bpmn:complexGateway id="cg"/>
        <bpmn:exclusiveGateway id="xg"/>
        <bpmn:intermediateCatchEvent id="msg"><bpmn:messageEventDefinition/></bpmn:intermediateCatchEvent>
        <bpmn:callActivity id="call" calledElement="nowhere"/>
        <bpmn:exclusiveGateway id="feelGw" default="feelGw_end2"/>
        ${endEvent('end')}${endEvent('end2')}${endEvent('end3')}
        ${chain('start', 'cg', 'xg')}
        ${flow('xg', 'msg')}${flow('xg', 'call')}
        ${chain('msg', 'feelGw')}
        ${flow('feelGw', 'end', '= ) (')}${flow('feelGw', 'end2')}
        ${chain('call', 'end3')}
        <bpmn:sequenceFlow id="lost" sourceRef="call" targetRef="ghost"/>`,
        ),
        message('M_unused', 'unused'),
      ),
    );
    expectWellFormed(problems);
    expect(ids(problems)).toEqual(expect.arrayContaining(['cg', 'msg', 'call', 'feelGw_end', 'lost']));
    // the exclusive split without conditions: on the gateway or on its two flows
    expect(ids(problems).some((id) => ['xg', 'xg_msg', 'xg_call'].includes(id))).toBe(true);
  });

  it('parseAndCompile gives plans for a valid model and none (with problems) for an invalid one', async () => {
    const ok = await parseAndCompile(valid);
    expect(ok.problems).toEqual([]);
    expect(ok.plans).toHaveLength(1);
    const bad = await parseAndCompile(valid.replace('default="toB"', ''));
    expect(bad.plans).toEqual([]);
    expect(bad.problems.length).toBeGreaterThan(0);
  });

  it.each([
    [
      'duplicate ids',
      `${startEvent('start')}${userTask('dup')}<bpmn:userTask id="dup"/>${endEvent('end')}${chain('start', 'end')}`,
      ['dup'],
    ],
    [
      'a default flow that does not leave the gateway',
      `${startEvent('start')}<bpmn:exclusiveGateway id="gw" default="start_gw"/>${endEvent('a')}${endEvent('b')}
       ${chain('start', 'gw')}${flow('gw', 'a', '= x')}${flow('gw', 'b', '= not(x)')}`,
      ['gw'],
    ],
    [
      'an event-based gateway leading to a user task',
      `${startEvent('start')}<bpmn:eventBasedGateway id="ebg"/>${userTask('t')}
       <bpmn:intermediateCatchEvent id="w">${timer('timeDuration', 'PT1H')}</bpmn:intermediateCatchEvent>${endEvent('e1')}${endEvent('e2')}
       ${chain('start', 'ebg')}${chain('ebg', 't', 'e1')}${chain('ebg', 'w', 'e2')}`,
      ['ebg'],
    ],
    [
      'a call activity without calledElement',
      `${startEvent('start')}<bpmn:callActivity id="call"/>${endEvent('end')}${chain('start', 'call', 'end')}`,
      ['call'],
    ],
    [
      'a multi-instance without collection or cardinality',
      `${startEvent('start')}<bpmn:userTask id="mi"><bpmn:multiInstanceLoopCharacteristics/></bpmn:userTask>${endEvent('end')}
       ${chain('start', 'mi', 'end')}`,
      ['mi'],
    ],
    [
      'a business rule task without an expression',
      `${startEvent('start')}<bpmn:businessRuleTask id="rule" gov:resultVariable="r"/>${endEvent('end')}${chain('start', 'rule', 'end')}`,
      ['rule'],
    ],
    [
      'a timer event without any time',
      `${startEvent('start')}<bpmn:intermediateCatchEvent id="w"><bpmn:timerEventDefinition/></bpmn:intermediateCatchEvent>${endEvent('end')}
       ${chain('start', 'w', 'end')}`,
      ['w'],
    ],
    [
      'a boundary event whose host does not exist',
      `${startEvent('start')}${userTask('t')}${endEvent('end')}${endEvent('end2')}${chain('start', 't', 'end')}
       <bpmn:boundaryEvent id="b" attachedToRef="ghost">${timer('timeDuration', 'PT1H')}</bpmn:boundaryEvent>${chain('b', 'end2')}`,
      ['b'],
    ],
  ])('%s is reported', async (_name, body, anyOf) => {
    const problems = await validate(definitions(process('p', body), '<bpmn:error id="E_nocode"/>'));
    expectWellFormed(problems);
    expect(ids(problems).some((id) => anyOf.includes(id))).toBe(true);
  });

  it('only executable processes are checked; a model with none says so', async () => {
    const notExecutable = valid.replace('isExecutable="true"', 'isExecutable="false"');
    const problems = await validate(notExecutable);
    expect(problems).toHaveLength(1);
    expectWellFormed(problems);
    expect(problems[0]!.message).toMatch(/executable/);
    const mixed = definitions(
      process('ok', `${startEvent('s1')}${endEvent('e1')}${chain('s1', 'e1')}`) +
        `<bpmn:process id="sketch" isExecutable="false"><bpmn:complexGateway id="cg"/></bpmn:process>`,
    );
    expect(await validate(mixed)).toEqual([]);
  });

  it('an element no flow can ever reach (no incoming flow, not a start or boundary event) is reported, not silently skipped', async () => {
    const orphanTask = await validate(
      model(
        'p',
        `${startEvent('start')}${userTask('t')}${userTask('orphan')}${endEvent('end')}
        ${chain('start', 't', 'end')}${chain('orphan', 'end')}`,
      ),
    );
    expect(ids(orphanTask)).toContain('orphan');
    const orphanCatch = await validate(
      model(
        'p',
        `${startEvent('start')}${userTask('t')}
        <bpmn:intermediateCatchEvent id="orphanTimer">${timer('timeDuration', 'PT1H')}</bpmn:intermediateCatchEvent>
        <bpmn:parallelGateway id="join"/>${endEvent('end')}
        ${chain('start', 't', 'join')}${chain('orphanTimer', 'join')}${chain('join', 'end')}`,
      ),
    );
    expect(ids(orphanCatch)).toContain('orphanTimer');
  });

  it('a dangling errorRef/messageRef is reported on the event that holds it (the definition has no id)', async () => {
    const problems = await validate(
      model(
        'p',
        `${startEvent('start')}<bpmn:endEvent id="fail"><bpmn:errorEventDefinition errorRef="noSuchError"/></bpmn:endEvent>
        ${chain('start', 'fail')}`,
      ),
    );
    expectWellFormed(problems);
    expect(ids(problems)).toContain('fail');
  });

  it('a sequence flow without an id still gives well-formed problems (elementId is a string)', async () => {
    const problems = await validate(
      model(
        'p',
        `${startEvent('start')}<bpmn:exclusiveGateway id="g"/>${endEvent('a')}${endEvent('b')}${chain('start', 'g')}
        <bpmn:sequenceFlow sourceRef="g" targetRef="a"/>
        ${flow('g', 'b', '= true')}`,
      ),
    );
    expect(problems.length).toBeGreaterThan(0);
    expectWellFormed(problems);
    expect(problems.map((p) => p.message).join('\n')).not.toMatch(/undefined/);
  });

  it.each([
    ['gov:timeLimit="five"'],
    ['gov:timeLimit="-3"'],
    ['gov:timeLimit="2.5"'],
    ['gov:specialStep="maybe"'],
  ])('an invalid gov attribute value (%s) is reported on the task, not coerced', async (attr) => {
    const problems = await validate(
      model('p', `${startEvent('s')}<bpmn:userTask id="t" ${attr}/>${endEvent('e')}${chain('s', 't', 'e')}`),
    );
    expectWellFormed(problems);
    expect(ids(problems)).toContain('t');
  });

  describe('expression languages', () => {
    /** A split whose non-default flow carries `condition`, with `language` on its formal expression when given. */
    const split = (condition: string, language?: string) =>
      model(
        'p',
        `${startEvent('start')}<bpmn:exclusiveGateway id="gw" default="toB"/>${endEvent('a')}${endEvent('b')}
        ${chain('start', 'gw')}${flow('gw', 'b', undefined, 'toB')}
        <bpmn:sequenceFlow id="toA" sourceRef="gw" targetRef="a"><bpmn:conditionExpression xsi:type="bpmn:tFormalExpression"${
          language === undefined ? '' : ` language="${language}"`
        }>${xmlEscape(condition)}</bpmn:conditionExpression></bpmn:sequenceFlow>`,
      );

    // Each body parses as FEEL, so without the language check these deployed and ran as FEEL.
    it.each([
      ['JavaScript', '1==2'],
      ['javascript', 'next(null, 1==2)'],
      ['javascript', 'this.variables.input <= 50'],
      ['groovy', 'input <= 50'],
      ['juel', 'input'],
    ])('a condition in %s (%s) is reported on its flow, once', async (language, body) => {
      const problems = await validate(split(body, language));
      expectWellFormed(problems);
      expect(problems).toEqual([
        expect.objectContaining({
          elementId: 'toA',
          code: 'expression.language',
          message: expect.stringContaining(`"${language}"`),
        }),
      ]);
    });

    it.each([
      [undefined],
      ['feel'],
      ['FEEL'],
      [' Feel '],
      ['http://www.omg.org/spec/FEEL/20140401'],
      ['https://www.omg.org/spec/FEEL/20230101'],
    ])('a condition in FEEL (language %s) deploys', async (language) => {
      expect(await validate(split('= input <= 50', language))).toEqual([]);
    });

    it('a completion condition, a loop cardinality and a timer in another language are reported on their element', async () => {
      const problems = await validate(
        model(
          'p',
          `${startEvent('start')}
          <bpmn:userTask id="mi"><bpmn:multiInstanceLoopCharacteristics>
            <bpmn:loopCardinality xsi:type="bpmn:tFormalExpression" language="groovy">3</bpmn:loopCardinality>
            <bpmn:completionCondition xsi:type="bpmn:tFormalExpression" language="javascript">1==2</bpmn:completionCondition>
          </bpmn:multiInstanceLoopCharacteristics></bpmn:userTask>
          <bpmn:intermediateCatchEvent id="wait"><bpmn:timerEventDefinition>
            <bpmn:timeDuration xsi:type="bpmn:tFormalExpression" language="javascript">PT1S</bpmn:timeDuration>
          </bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>
          ${endEvent('end')}${chain('start', 'mi', 'wait', 'end')}`,
        ),
      );
      expectWellFormed(problems);
      expect(problems.map((p) => [p.elementId, p.code, p.message])).toEqual([
        ['mi', 'expression.language', expect.stringMatching(/^the loop cardinality is written in "groovy"/)],
        [
          'mi',
          'expression.language',
          expect.stringMatching(/^the completion condition is written in "javascript"/),
        ],
        [
          'wait',
          'expression.language',
          expect.stringMatching(/^the timer duration is written in "javascript"/),
        ],
      ]);
    });

    it.each([
      ['${input <= 50}', '${input <= 50} is not FEEL: write input <= 50'],
      ['#{ approved }', '#{ approved } is not FEEL: write approved'],
      [
        '${environment.variables.ok} && x',
        '${environment.variables.ok} is not FEEL: write environment.variables.ok',
      ],
    ])('a JUEL-style condition (%s) fails as FEEL with a hint', async (body, hint) => {
      const problems = await validate(split(body));
      expect(problems).toEqual([
        expect.objectContaining({
          elementId: 'toA',
          code: 'feel.syntax',
          message: expect.stringContaining(hint),
        }),
      ]);
    });
  });
});
