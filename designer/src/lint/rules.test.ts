import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { Linter } from 'bpmnlint';
import { compile } from '../../../engine/src/expressions/feel.js';
import { problemZh, validate } from '../../../engine/src/model/index.js';
import { bundleLintOptions, linterConfig, translateUpstream } from './config.js';
import { conditionProblem } from './rules/feel-conditions.js';
import { lintWith, model, parse } from './testing.js';

const task = (id: string, attrs: string) => `<bpmn:userTask id="${id}" name="${id}" ${attrs}/>`;
/** A sequence flow; with a condition (XML-escaped already), in `language` when given. */
const flow = (id: string, from: string, to: string, condition?: string, language?: string) =>
  condition === undefined
    ? `<bpmn:sequenceFlow id="${id}" sourceRef="${from}" targetRef="${to}"/>`
    : `<bpmn:sequenceFlow id="${id}" sourceRef="${from}" targetRef="${to}"><bpmn:conditionExpression xsi:type="bpmn:tFormalExpression"${
        language === undefined ? '' : ` language="${language}"`
      }>${condition}</bpmn:conditionExpression></bpmn:sequenceFlow>`;

describe('gov/user-task-assignment', () => {
  const rule = 'gov/user-task-assignment';
  it('flags a user task without department, and a department task without item', async () => {
    const xml = model(task('a', '') + task('b', 'gov:department="tax" gov:timeLimit="1"'));
    expect(await lintWith(rule, xml)).toEqual([
      ['a', 'User task has no department'],
      ['b', 'Department task has no service item'],
    ]);
  });
  it('passes department tasks with items and window tasks without one', async () => {
    const xml = model(
      task('a', 'gov:department="tax" gov:item="new-taxpayer"') + task('w', 'gov:department="window"'),
    );
    expect(await lintWith(rule, xml)).toEqual([]);
  });
  it('with the bundle, flags unknown codes and an item given to another department', async () => {
    const options = bundleLintOptions(
      {
        departments: [{ code: 'tax' }, { code: 'hrss' }],
        items: [{ code: 'new-taxpayer', department: 'tax', promisedDays: 1 }],
      },
      'en',
    );
    const xml = model(
      task('a', 'gov:department="customs" gov:item="new-taxpayer"') +
        task('b', 'gov:department="tax" gov:item="nope"') +
        task('c', 'gov:department="hrss" gov:item="new-taxpayer"') +
        task('ok', 'gov:department="tax" gov:item="new-taxpayer"'),
    );
    expect(await lintWith(rule, xml, options)).toEqual([
      ['a', 'Department "customs" is not in the bundle'],
      ['b', 'Item "nope" is not in the bundle'],
      ['c', 'Item "new-taxpayer" belongs to tax, not hrss'],
    ]);
  });
  it('speaks Chinese by default', async () => {
    const { config, resolver } = linterConfig({}, ['gov/user-task-assignment']);
    const results = await new Linter({ config, resolver }).lint(await parse(model(task('a', ''))));
    expect(results['gov/user-task-assignment']![0]!.message).toBe('用户任务未指定部门');
  });
});

describe('gov/time-limit', () => {
  const rule = 'gov/time-limit';
  it('flags department tasks without a limit or with a bad one', async () => {
    const xml = model(
      task('a', 'gov:department="tax"') + task('b', 'gov:department="tax" gov:timeLimit="0"'),
    );
    expect(await lintWith(rule, xml)).toEqual([
      ['a', 'No time limit (working days) set'],
      ['b', 'Time limit must be a whole number of working days ≥ 1'],
    ]);
  });
  it('flags a limit beyond the item’s promised days', async () => {
    const options = { items: { x: { department: 'tax', promisedDays: 3 } } };
    const xml = model(task('a', 'gov:department="tax" gov:item="x" gov:timeLimit="5"'));
    expect(await lintWith(rule, xml, options)).toEqual([
      ['a', "Time limit 5 days exceeds the item's promised 3 days"],
    ]);
  });
  it('passes limits set, and window tasks without one', async () => {
    const xml = model(
      task('a', 'gov:department="tax" gov:item="x" gov:timeLimit="2"') + task('w', 'gov:department="window"'),
    );
    expect(await lintWith(rule, xml, { items: { x: { department: 'tax', promisedDays: 3 } } })).toEqual([]);
  });
});

describe('gov/time-limit on special steps', () => {
  const rule = 'gov/time-limit';
  const special = (attrs: string) =>
    model(
      '<bpmn:startEvent id="s"/>' +
        task('hearing', `gov:department="tax" gov:item="x" gov:specialStep="true" ${attrs}`) +
        '<bpmn:endEvent id="e"/>' +
        flow('f1', 's', 'hearing') +
        flow('f2', 'hearing', 'e'),
    );
  it('flags one without its own limit in the words deploy refuses it with, zh and en', async () => {
    const refused = await validate(special(''));
    expect(refused.map((p) => p.code)).toEqual(['gov.specialStepLimit']);
    expect(await lintWith(rule, special(''))).toEqual([['hearing', refused[0]!.message]]);
    expect(await lintWith(rule, special(''), { lang: 'zh' })).toEqual([['hearing', problemZh(refused[0]!)]]);
  });
  it('flags a window task that is a special step, too', async () => {
    const xml = model(task('w', 'gov:department="window" gov:specialStep="true"'));
    expect((await lintWith(rule, xml)).map(([id]) => id)).toEqual(['w']);
  });
  it('lets its limit exceed the item’s promise: special steps do not count toward it', async () => {
    const options = { items: { x: { department: 'tax', promisedDays: 3 } } };
    expect(await lintWith(rule, special('gov:timeLimit="20"'), options)).toEqual([]);
    expect(await validate(special('gov:timeLimit="20"'))).toEqual([]);
  });
});

describe('gov/conditional-splits', () => {
  const rule = 'gov/conditional-splits';
  const split = (kind: string, flows: string, extra = '') =>
    model(`<bpmn:${kind} id="g" ${extra}/>` + task('a', '') + task('b', '') + task('c', '') + flows);
  it('flags exclusive and inclusive splits with a flow lacking a condition', async () => {
    const flows = flow('f1', 'g', 'a', '= x > 1') + flow('f2', 'g', 'b');
    expect(await lintWith(rule, split('exclusiveGateway', flows))).toEqual([
      ['f2', 'Flow out of a split has no condition (or make it the default flow)'],
    ]);
    expect(await lintWith(rule, split('inclusiveGateway', flows))).toHaveLength(1);
  });
  it('flags a condition on the default flow', async () => {
    const flows = flow('f1', 'g', 'a', '= x > 1') + flow('f2', 'g', 'b', '= true');
    expect(await lintWith(rule, split('exclusiveGateway', flows, 'default="f2"'))).toEqual([
      ['f2', "The default flow's condition is never used"],
    ]);
  });
  it('passes conditions with a default, and gateways that do not split', async () => {
    const flows = flow('f1', 'g', 'a', '= x > 1') + flow('f2', 'g', 'b', '= x &lt; 0') + flow('f3', 'g', 'c');
    expect(await lintWith(rule, split('exclusiveGateway', flows, 'default="f3"'))).toEqual([]);
    expect(await lintWith(rule, split('inclusiveGateway', flow('f1', 'g', 'a')))).toEqual([]);
  });
});

describe('gov/feel-conditions', () => {
  const rule = 'gov/feel-conditions';
  it('flags a condition the engine cannot parse', async () => {
    const xml = model(task('a', '') + task('b', '') + flow('f', 'a', 'b', '= x >'));
    const reports = await lintWith(rule, xml);
    expect(reports).toHaveLength(1);
    expect(reports[0]![1]).toMatch(/^Condition has a FEEL syntax error/);
  });
  it('passes good FEEL', async () => {
    const xml = model(
      task('a', '') + task('b', '') + flow('f', 'a', 'b', '= list contains(items, "seal-filing")'),
    );
    expect(await lintWith(rule, xml)).toEqual([]);
  });
  // Each body parses as FEEL: only the language says it would run with another meaning.
  it.each([
    ['javascript', '1==2'],
    ['JavaScript', 'this.variables.amount >= 50'],
    ['groovy', 'amount >= 50'],
  ])('flags a condition in %s (%s) once, on its flow', async (language, body) => {
    const xml = model(task('a', '') + task('b', '') + flow('f', 'a', 'b', body, language));
    expect(await lintWith(rule, xml)).toEqual([
      [
        'f',
        `The condition is written in "${language}"; the engine evaluates FEEL only (leave language out, or set it to "feel")`,
      ],
    ]);
    expect(await lintWith(rule, xml, { lang: 'zh' })).toEqual([
      ['f', `条件表达式使用的语言是 "${language}"；引擎只执行 FEEL（请去掉 language，或设为 "feel"）`],
    ]);
  });
  it('takes FEEL by its names (none, feel in any case, the OMG URI), and nothing close to them', async () => {
    const languages: [string | undefined, boolean][] = [
      [undefined, false],
      ['feel', false],
      ['FEEL', false],
      [' Feel ', false],
      ['http://www.omg.org/spec/FEEL/20140401', false],
      ['https://www.omg.org/spec/FEEL/20230101', false],
      ['feel2', true],
      ['http://www.omg.org/spec/FEEL/2014', true],
      ['http://www.omg.org/spec/DMN/20191111', true],
    ];
    const xml = model(
      task('a', '') +
        task('b', '') +
        languages.map(([language], i) => flow(`f${i}`, 'a', 'b', '= amount >= 50', language)).join(''),
    );
    const flagged = languages.flatMap(([, other], i) => (other ? [`f${i}`] : []));
    expect((await lintWith(rule, xml)).map(([id]) => id)).toEqual(flagged);
  });
  it('flags a loop cardinality, a completion condition and a timer in another language on their element', async () => {
    const xml = model(
      `<bpmn:userTask id="mi"><bpmn:multiInstanceLoopCharacteristics>
        <bpmn:loopCardinality xsi:type="bpmn:tFormalExpression" language="groovy">3</bpmn:loopCardinality>
        <bpmn:completionCondition xsi:type="bpmn:tFormalExpression" language="javascript">1==2</bpmn:completionCondition>
      </bpmn:multiInstanceLoopCharacteristics></bpmn:userTask>
      <bpmn:intermediateCatchEvent id="wait"><bpmn:timerEventDefinition>
        <bpmn:timeDuration xsi:type="bpmn:tFormalExpression" language="javascript">PT1S</bpmn:timeDuration>
      </bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>`,
    );
    expect(await lintWith(rule, xml)).toEqual([
      ['mi', expect.stringMatching(/^The loop cardinality is written in "groovy"/)],
      ['mi', expect.stringMatching(/^The completion condition is written in "javascript"/)],
      ['wait', expect.stringMatching(/^The timer duration is written in "javascript"/)],
    ]);
  });
  it.each([
    [
      '${amount >= 50}',
      '${amount >= 50} is not FEEL: write amount >= 50',
      '${amount >= 50} 不是 FEEL，请写成 amount >= 50',
    ],
    [
      '#{ approved }',
      '#{ approved } is not FEEL: write approved',
      '#{ approved } 不是 FEEL，请写成 approved',
    ],
  ])('adds how to write a JUEL-style condition (%s) in FEEL', async (body, en, zh) => {
    const xml = model(task('a', '') + task('b', '') + flow('f', 'a', 'b', body));
    const error = compile(body).syntaxError;
    expect(await lintWith(rule, xml)).toEqual([['f', `Condition has a FEEL syntax error: ${error}; ${en}`]]);
    expect(await lintWith(rule, xml, { lang: 'zh' })).toEqual([
      ['f', `条件表达式有语法错误：${error}；${zh}`],
    ]);
  });
  it('flags FEEL syntax errors in a loop cardinality, a completion condition and an "=" timer on their element', async () => {
    const xml = model(
      `<bpmn:userTask id="mi"><bpmn:multiInstanceLoopCharacteristics>
        <bpmn:loopCardinality xsi:type="bpmn:tFormalExpression">\${count}</bpmn:loopCardinality>
        <bpmn:completionCondition xsi:type="bpmn:tFormalExpression">= done &gt;</bpmn:completionCondition>
      </bpmn:multiInstanceLoopCharacteristics></bpmn:userTask>
      <bpmn:intermediateCatchEvent id="wait"><bpmn:timerEventDefinition>
        <bpmn:timeDuration xsi:type="bpmn:tFormalExpression">= #{delay}</bpmn:timeDuration>
      </bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>`,
    );
    const [count, done, delay] = ['${count}', '= done >', '= #{delay}'].map((s) => compile(s).syntaxError);
    expect(await lintWith(rule, xml)).toEqual([
      ['mi', `Loop cardinality has a FEEL syntax error: ${count}; \${count} is not FEEL: write count`],
      ['mi', `Completion condition has a FEEL syntax error: ${done}`],
      ['wait', `Timer duration has a FEEL syntax error: ${delay}; #{delay} is not FEEL: write delay`],
    ]);
    expect(await lintWith(rule, xml, { lang: 'zh' })).toEqual([
      ['mi', `循环基数有语法错误：${count}；\${count} 不是 FEEL，请写成 count`],
      ['mi', `完成条件有语法错误：${done}`],
      ['wait', `定时器时长有语法错误：${delay}；#{delay} 不是 FEEL，请写成 delay`],
    ]);
  });
  it('leaves timers without "=" alone: deploy reads them as ISO 8601, not FEEL', async () => {
    const timer = (id: string, part: string, body: string) =>
      `<bpmn:intermediateCatchEvent id="${id}"><bpmn:timerEventDefinition>
        <bpmn:${part} xsi:type="bpmn:tFormalExpression">${body}</bpmn:${part}>
      </bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>`;
    const xml = model(
      timer('date', 'timeDate', '2030-01-01T09:00:00+08:00') +
        timer('duration', 'timeDuration', 'PT1H') +
        timer('cycle', 'timeCycle', 'R3/PT1H') +
        timer('good', 'timeDuration', '= duration("PT" + string(hours) + "H")'),
    );
    expect(await lintWith(rule, xml)).toEqual([]);
  });
});

describe("conditionProblem (the properties panel's condition editor)", () => {
  it('words a FEEL syntax error, with the JUEL hint, as gov/feel-conditions does', async () => {
    for (const body of ['= x >', '${amount >= 50}']) {
      const xml = model(task('a', '') + task('b', '') + flow('f', 'a', 'b', body));
      for (const lang of ['zh', 'en'] as const) {
        const [[, message]] = (await lintWith('gov/feel-conditions', xml, { lang })) as [[string, string]];
        expect(conditionProblem(body, undefined, lang)).toBe(message);
      }
    }
    expect(conditionProblem('${ok}', undefined, 'en')).toMatch(/; \$\{ok\} is not FEEL: write ok$/);
  });
  it("names the stored condition's other language, and not once the analyst has typed a new one", () => {
    const stored = { body: '1==2', language: 'javascript' };
    expect(conditionProblem('1==2', stored, 'en')).toBe(
      'The condition is written in "javascript"; the engine evaluates FEEL only (leave language out, or set it to "feel")',
    );
    expect(conditionProblem('1==2', stored, 'zh')).toBe(
      '条件表达式使用的语言是 "javascript"；引擎只执行 FEEL（请去掉 language，或设为 "feel"）',
    );
    // The panel saves what is typed as a FEEL expression without a language.
    expect(conditionProblem('1 = 2', stored, 'en')).toBeNull();
  });
  it('passes good FEEL, and an empty condition or a bare "="', () => {
    for (const value of [undefined, '', '  ', '=', '= amount >= 50', 'approved']) {
      expect(conditionProblem(value, undefined, 'en')).toBeNull();
    }
  });
});

describe('gov/parallel-join', () => {
  const rule = 'gov/parallel-join';
  it('flags a parallel split whose branches end apart', async () => {
    const xml = model(
      '<bpmn:parallelGateway id="split"/>' +
        task('a', '') +
        task('b', '') +
        '<bpmn:endEvent id="e1"/><bpmn:endEvent id="e2"/>' +
        flow('f1', 'split', 'a') +
        flow('f2', 'split', 'b') +
        flow('f3', 'a', 'e1') +
        flow('f4', 'b', 'e2'),
    );
    expect(await lintWith(rule, xml)).toEqual([
      ['split', 'Parallel split is not joined by a parallel gateway'],
    ]);
  });
  it('flags branches joined only by an exclusive gateway', async () => {
    const xml = model(
      '<bpmn:parallelGateway id="split"/><bpmn:exclusiveGateway id="join"/>' +
        task('a', '') +
        task('b', '') +
        flow('f1', 'split', 'a') +
        flow('f2', 'split', 'b') +
        flow('f3', 'a', 'join') +
        flow('f4', 'b', 'join'),
    );
    expect(await lintWith(rule, xml)).toHaveLength(1);
  });
  it('passes a split joined by a parallel gateway, even through loops', async () => {
    const xml = model(
      '<bpmn:parallelGateway id="split"/><bpmn:parallelGateway id="join"/><bpmn:exclusiveGateway id="again"/>' +
        task('a', '') +
        task('b', '') +
        flow('f1', 'split', 'a') +
        flow('f2', 'split', 'b') +
        flow('f3', 'a', 'again') +
        flow('f4', 'again', 'a', '= retry') +
        flow('f5', 'again', 'join', '= not(retry)') +
        flow('f6', 'b', 'join'),
    );
    expect(await lintWith(rule, xml)).toEqual([]);
  });
});

describe('gov/supported-elements', () => {
  const rule = 'gov/supported-elements';
  it('flags elements and event definitions the engine does not execute', async () => {
    const xml = model(
      '<bpmn:complexGateway id="cg"/><bpmn:scriptTask id="st"/>' +
        '<bpmn:startEvent id="s"><bpmn:signalEventDefinition/></bpmn:startEvent>' +
        '<bpmn:subProcess id="esp" triggeredByEvent="true"/>' +
        '<bpmn:task id="loop"><bpmn:standardLoopCharacteristics/></bpmn:task>',
    );
    expect((await lintWith(rule, xml)).map(([id]) => id)).toEqual(['cg', 'st', 's', 'esp', 'loop']);
  });
  it('passes what the engine supports', async () => {
    const xml = model(
      '<bpmn:startEvent id="s"><bpmn:timerEventDefinition/></bpmn:startEvent>' +
        task('u', '') +
        '<bpmn:inclusiveGateway id="ig"/><bpmn:endEvent id="e"><bpmn:terminateEventDefinition/></bpmn:endEvent>' +
        '<bpmn:subProcess id="sp"><bpmn:startEvent id="s2"/></bpmn:subProcess><bpmn:textAnnotation id="note"/>',
    );
    expect(await lintWith(rule, xml)).toEqual([]);
  });
});

describe('the whole configuration', () => {
  it('lets bpmnlint’s own rules see flows in files without incoming/outgoing', async () => {
    const xml = model(
      '<bpmn:startEvent id="s"/><bpmn:task id="t"/><bpmn:endEvent id="e"/><bpmn:task id="lonely"/>' +
        flow('f1', 's', 't') +
        flow('f2', 't', 'e'),
    );
    expect(await lintWith('no-disconnected', xml)).toEqual([['lonely', 'Element is not connected']]);
  });
  const examples = readdirSync(new URL('../../../examples/', import.meta.url)).filter((d) =>
    existsSync(new URL(`../../../examples/${d}/process.bpmn`, import.meta.url)),
  );
  it.each(examples)('finds no error in the %s example with its bundle', async (dir) => {
    const xml = readFileSync(new URL(`../../../examples/${dir}/process.bpmn`, import.meta.url), 'utf8');
    const bundle = JSON.parse(
      readFileSync(new URL(`../../../examples/${dir}/bundle.json`, import.meta.url), 'utf8'),
    );
    const { config, resolver } = linterConfig(bundleLintOptions(bundle, 'en'));
    const results = await new Linter({ config, resolver }).lint(await parse(xml));
    const errors = Object.entries(results).flatMap(([rule, reports]) =>
      reports.filter((r) => r.category !== 'warn').map((r) => `${rule} ${r.id}: ${r.message}`),
    );
    expect(errors).toEqual([]);
  });
  it('translates bpmnlint’s own messages', () => {
    expect(translateUpstream('Process is missing end event', 'zh')).toBe('缺少结束事件');
    expect(translateUpstream('Element is not connected', 'en')).toBe('Element is not connected');
  });
});
