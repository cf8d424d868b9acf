import { readFileSync } from 'node:fs';
import type { Problem } from '../api.js';
import { chain, definitions, flow, message, model, process, timer } from '../testing/bpmn.js';
import { MAX_MODEL_BYTES, problemZh, validate } from './index.js';
import { CONNECTOR_JOB_TYPE } from './connector-spec.js';
import { CODES_IN_CHINESE } from './messages-zh.js';

const CJK = /[\u4e00-\u9fff]/;

/** Models that between them give nearly every problem compile.ts and parse.ts report. */
const BROKEN: unknown[] = [
  model(
    'connectors',
    `<bpmn:startEvent id="s"/>
    <bpmn:serviceTask id="badUrl" gov:url="ftp://x" gov:type="t" gov:method="FETCH" gov:timeout="9999"/>
    <bpmn:serviceTask id="getBody" gov:url="https://dept.example.gov.cn/x" gov:method="GET" gov:body="= {a: 1}"/>
    <bpmn:serviceTask id="noUrl" gov:type="t" gov:method="POST"/>
    <bpmn:endEvent id="e"/>${chain('s', 'badUrl', 'getBody', 'noUrl', 'e')}`,
  ),
  42,
  '',
  'x'.repeat(MAX_MODEL_BYTES + 1),
  '<!DOCTYPE a><a/>',
  '<bpmn:definitions',
  definitions(''),
  model(
    'unsupported',
    `<bpmn:startEvent id="s"/><bpmn:startEvent id="s2"/><bpmn:complexGateway id="cg"/><bpmn:endEvent id="e"/>
    <bpmn:subProcess id="esp" triggeredByEvent="true"/>
    <bpmn:endEvent id="sig"><bpmn:signalEventDefinition/></bpmn:endEvent>
    <bpmn:intermediateCatchEvent id="bare"/>
    <bpmn:userTask id="loop" gov:department="window" gov:timeLimit="2.5" gov:specialStep="maybe"><bpmn:standardLoopCharacteristics/></bpmn:userTask>
    <bpmn:task/><bpmn:foo id="foo"/>
    ${chain('s', 'cg', 'e')}${chain('s2', 'loop', 'sig')}${chain('s', 'bare', 'e')}
    <bpmn:sequenceFlow id="toFlow" sourceRef="s" targetRef="toFlow"/>
    <bpmn:sequenceFlow id="toNothing" sourceRef="s" targetRef="nothing"/>
    <bpmn:sequenceFlow id="intoStart" sourceRef="loop" targetRef="s2"/>
    <bpmn:sequenceFlow id="outOfEnd" sourceRef="e" targetRef="loop"/>`,
  ),
  model(
    'scopes',
    `<bpmn:startEvent id="s"/><bpmn:endEvent id="e"/>
    <bpmn:subProcess id="sub"><bpmn:startEvent id="in1"/><bpmn:startEvent id="in2">${timer('timeDuration', 'P1D')}</bpmn:startEvent>
      <bpmn:userTask id="inner"/><bpmn:endEvent id="ie"/>${chain('in1', 'inner', 'ie')}
      <bpmn:sequenceFlow id="cross" sourceRef="inner" targetRef="e"/></bpmn:subProcess>
    <bpmn:boundaryEvent id="outside" attachedToRef="inner">${timer('timeDuration', 'P1D')}</bpmn:boundaryEvent>
    <bpmn:boundaryEvent id="onGateway" attachedToRef="gw">${timer('timeDuration', 'P1D')}</bpmn:boundaryEvent>
    <bpmn:boundaryEvent id="soft" attachedToRef="sub" cancelActivity="false"><bpmn:errorEventDefinition/></bpmn:boundaryEvent>
    <bpmn:exclusiveGateway id="gw" default="par_e"/><bpmn:parallelGateway id="par"/><bpmn:eventBasedGateway id="race"/>
    <bpmn:exclusiveGateway id="open"/>
    ${chain('s', 'sub', 'gw', 'par')}${flow('par', 'e', '= x')}${flow('par', 'race', '= y')}${flow('race', 'e', '= z')}
    ${flow('gw', 'open', '= a')}${flow('gw', 'e')}`,
  ),
  model(
    'details',
    `<bpmn:startEvent id="s"/><bpmn:endEvent id="e"/>
    <bpmn:intermediateCatchEvent id="two">${timer('timeDuration', 'P1D')}<bpmn:messageEventDefinition messageRef="m"/></bpmn:intermediateCatchEvent>
    <bpmn:intermediateCatchEvent id="t0"><bpmn:timerEventDefinition/></bpmn:intermediateCatchEvent>
    <bpmn:intermediateCatchEvent id="t1">${timer('timeDuration', 'soon')}</bpmn:intermediateCatchEvent>
    <bpmn:intermediateCatchEvent id="nameless"><bpmn:messageEventDefinition messageRef="anon"/></bpmn:intermediateCatchEvent>
    <bpmn:receiveTask id="rt"/><bpmn:callActivity id="c0"/><bpmn:callActivity id="c1" calledElement="elsewhere"/>
    <bpmn:callActivity id="c2" calledElement="details"><bpmn:extensionElements><gov:input source="a"/></bpmn:extensionElements></bpmn:callActivity>
    <bpmn:businessRuleTask id="br"/><bpmn:businessRuleTask id="bf" gov:expression="= (" gov:resultVariable="r"/>
    <bpmn:userTask id="mi"><bpmn:multiInstanceLoopCharacteristics gov:outputElement="= x"/></bpmn:userTask>
    <bpmn:inclusiveGateway id="dead"/>
    ${chain('s', 'two', 't0', 't1', 'nameless', 'rt', 'c0', 'c1', 'c2', 'br', 'bf', 'mi', 'e')}`,
    `${message('m', 'x')}<bpmn:message id="anon"/>`,
  ),
  definitions(process('nostart', '<bpmn:endEvent id="e"/>') + process('dup', '<bpmn:startEvent id="e"/>')),
  model(
    'unlimited',
    `<bpmn:startEvent id="s"/><bpmn:userTask id="inspection" gov:specialStep="true"/><bpmn:endEvent id="e"/>
    ${chain('s', 'inspection', 'e')}`,
  ),
];

/** Sub-processes nested 33 deep. */
const deep = model(
  'deep',
  '<bpmn:startEvent id="s"/>' +
    Array.from({ length: 33 }, (_, i) => `<bpmn:subProcess id="sub${i + 1}">`).join('') +
    '</bpmn:subProcess>'.repeat(33),
);

describe('model problems in Chinese', () => {
  let problems: Problem[];
  beforeAll(async () => {
    problems = [];
    for (const xml of [...BROKEN, deep]) problems.push(...(await validate(xml)));
  });

  it('every problem of the broken models has Chinese text when its code is covered', () => {
    const missing = problems.filter((p) => CODES_IN_CHINESE.has(p.code) && !CJK.test(problemZh(p) ?? ''));
    expect(missing).toEqual([]);
  });

  it('the broken models reach the codes this test claims to cover', () => {
    const reached = new Set(problems.map((p) => p.code));
    const notReached = [...CODES_IN_CHINESE].filter((code) => !reached.has(code));
    // Not reachable from a model (gov:timeLimit is an integer ≥ 0 once typed, only activities
    // carry loop characteristics, moddle refuses another root) or only in bulk (the join limit,
    // the parse-problem and element limits: parse.test.ts).
    expect(notReached.sort()).toEqual([
      'gov.timeLimit',
      'inclusive.tooMany',
      'multiInstance.notActivity',
      'xml.notBpmn',
      'xml.tooManyElements',
      'xml.tooManyProblems',
    ]);
  });

  it('names what the English names', () => {
    const zh = (code: string, elementId?: string) =>
      problems
        .filter((p) => p.code === code && (elementId === undefined || p.elementId === elementId))
        .map(problemZh);
    expect(zh('boundary.scope', 'outside')).toEqual([
      '边界事件必须与其依附的活动 inner 位于同一流程或子流程中',
    ]);
    expect(zh('gateway.parallelCondition')).toEqual([
      '离开并行网关（par）的顺序流不允许设置条件；需要按条件分支请改用包容网关',
      '离开并行网关（par）的顺序流不允许设置条件；需要按条件分支请改用包容网关',
    ]);
    expect(zh('gateway.eventBasedCondition')).toEqual([
      '离开事件网关（race）的顺序流不允许设置条件：由先发生的事件决定走向',
    ]);
    expect(zh('flow.dangling', 'toFlow')).toEqual(['顺序流的终点 "toFlow" 不存在']);
    expect(zh('element.unsupported', 'cg')).toEqual(['引擎不支持 bpmn:ComplexGateway']);
    expect(zh('element.unsupported', 'sig')).toEqual(['不支持带信号事件定义的 bpmn:EndEvent']);
    expect(zh('subProcess.tooDeep')).toEqual(['子流程嵌套超过 32 层']);
    expect(zh('gov.attributeType')).toEqual([
      'gov:timeLimit="2.5" 必须是不小于 0 的整数',
      'gov:specialStep="maybe" 必须是 true 或 false',
    ]);
    expect(zh('xml.tooLarge')).toEqual([`模型超过 ${MAX_MODEL_BYTES} 字节的大小上限`]);
    expect(
      problemZh({
        elementId: 'p',
        elementType: 'bpmn:Process',
        code: 'inclusive.tooMany',
        message:
          'too many inclusive joins for this model size: 3000 joins, each needing a walk over the elements of its scope (at most 20000000 steps in all)',
      }),
    ).toBe('包容网关汇聚过多（3000 个），超出本模型规模可处理的上限');
  });

  it('an unknown code or wording gives no Chinese text (the caller shows the English)', () => {
    const p = { elementId: 'x', elementType: 'bpmn:Task', message: 'something else' };
    expect(problemZh({ ...p, code: 'no.such' })).toBeUndefined();
    expect(problemZh({ ...p, code: 'toString' })).toBeUndefined();
    expect(problemZh({ ...p, code: 'flow.dangling' })).toBeUndefined();
  });

  it('covers every code compile.ts, parse.ts and connector-spec.ts report', () => {
    const source = ['compile.ts', 'parse.ts', 'connector-spec.ts']
      .map((f) => readFileSync(new URL(`./${f}`, import.meta.url), 'utf8'))
      .join('\n');
    const codes = new Set(
      [...source.matchAll(/'([a-z][A-Za-z]*\.[a-z][A-Za-z]*)'/g)]
        .map((m) => m[1]!)
        .filter((c) => !/\.(js|json)$/.test(c) && c !== CONNECTOR_JOB_TYPE),
    );
    // xml.invalid carries moddle's own message; expression.language names the language given.
    const uncovered = [...codes].filter((c) => !CODES_IN_CHINESE.has(c));
    expect(uncovered.sort()).toEqual(['expression.language', 'xml.invalid']);
  });
});
