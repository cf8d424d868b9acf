/**
 * Chinese text for model problems, by problem code. A problem carries its message in English;
 * the particulars it names (ids, attribute values) are read back from that message, so each
 * entry here matches the wording compile.ts and parse.ts give it. A code or a wording not known
 * here gives undefined: the caller shows the English message.
 */
import type { Problem } from '../api.js';
import { MAX_SUBPROCESS_DEPTH } from './compile.js';
import { MAX_MODEL_BYTES } from './parse.js';

type Zh = (message: string) => string | undefined;

const own = (texts: Record<string, string>, key: string) =>
  Object.hasOwn(texts, key) ? texts[key] : undefined;

/** `text` of the groups `pattern` finds in the message, or undefined when it does not match. */
const from =
  (pattern: RegExp, text: (...groups: string[]) => string): Zh =>
  (message) => {
    const m = pattern.exec(message);
    return m ? text(...m.slice(1).map((g) => g ?? '')) : undefined;
  };

/** One Chinese text per English wording of a code. */
const fixed =
  (texts: Record<string, string>): Zh =>
  (message) =>
    own(texts, message);

const first =
  (...options: Zh[]): Zh =>
  (message) => {
    for (const option of options) {
      const text = option(message);
      if (text !== undefined) return text;
    }
    return undefined;
  };

/** Where an XML problem was found, as " (line 3, column 7)" in the English message. */
const at = (rest: string) => {
  const m = /\(line (\d+), column (\d+)\)/.exec(rest);
  return m ? `（第 ${m[1]} 行第 ${m[2]} 列）` : '';
};

const NODE_KINDS: Record<string, string> = {
  startEvent: '开始事件',
  endEvent: '结束事件',
  boundaryEvent: '边界事件',
  exclusiveGateway: '排他网关',
  parallelGateway: '并行网关',
  inclusiveGateway: '包容网关',
  eventBasedGateway: '事件网关',
};
const kindZh = (kind: string) => own(NODE_KINDS, kind) ?? kind;

const EVENT_KINDS: Record<string, string> = {
  timer: '定时',
  message: '消息',
  error: '错误',
  escalation: '升级',
  terminate: '终止',
  signal: '信号',
  conditional: '条件',
  compensate: '补偿',
  cancel: '取消',
  link: '链接',
};

const ZH: Record<string, Zh> = {
  'xml.notText': () => '模型必须是 BPMN 2.0 XML 文本',
  'xml.tooLarge': () => `模型超过 ${MAX_MODEL_BYTES} 字节的大小上限`,
  'xml.doctype': () => '模型中不允许出现 DOCTYPE 和实体声明',
  'xml.empty': () => '模型为空',
  'xml.notBpmn': () => '根元素不是 bpmn:definitions',
  'xml.malformed': from(/^malformed XML: ([\s\S]*)$/, (detail) => `XML 格式有误：${detail}`),
  'xml.tooManyElements': from(
    /^the model has (\d+) elements, more than (\d+)$/,
    (count, most) => `模型含 ${count} 个元素，超过上限 ${most} 个`,
  ),
  'xml.tooManyProblems': from(
    /^too many unknown elements, attributes or references \((\d+)\); the first (\d+) are listed$/,
    (count, listed) => `无法识别的元素、属性或引用过多（${count} 个），仅列出前 ${listed} 个`,
  ),
  'gov.attributeType': from(
    /^([\w:.-]+)="([\s\S]*)" must be (a whole number|true or false)/,
    (name, value, type) =>
      `${name}="${value}" 必须是${type === 'a whole number' ? '不小于 0 的整数' : ' true 或 false'}`,
  ),
  'element.duplicateId': from(
    /^the id "([\s\S]*)" is used twice( in the document)?([\s\S]*)$/,
    (id, _, rest) => `标识 "${id}" 在文档中重复使用${at(rest)}`,
  ),
  'element.unknown': first(
    from(
      /^<([^>]+)> is not a BPMN 2\.0 element([\s\S]*)$/,
      (tag, rest) => `<${tag}> 不是 BPMN 2.0 元素${at(rest)}`,
    ),
    from(/^<([^>]+)> cannot appear here([\s\S]*)$/, (tag, rest) => `<${tag}> 不能出现在此处${at(rest)}`),
  ),
  'reference.unresolved': from(
    /^(\S+) points at "([\s\S]*)", which does not exist$/,
    (property, id) => `${property} 引用的 "${id}" 不存在`,
  ),
  'element.unsupported': first(
    from(/^(\S+) is not supported by the engine$/, (type) => `引擎不支持 ${type}`),
    fixed({ 'event sub-processes are not supported by the engine': '引擎不支持事件子流程' }),
    from(/^(\S+) without an event definition is not supported$/, (type) => `不支持没有事件定义的 ${type}`),
    from(
      /^(\S+) with a (\S+) event definition is not supported$/,
      (type, kind) => `不支持带${own(EVENT_KINDS, kind) ?? ` ${kind} `}事件定义的 ${type}`,
    ),
    from(/^(\S+) is not supported \(use multi-instance\)$/, (type) => `不支持 ${type}（请改用多实例）`),
  ),
  'element.noId': from(/^a (\S+) has no id$/, (type) => `${type} 没有标识 (id)`),
  'process.none': () => '模型中没有可执行流程',
  'process.noStart': () => '流程没有开始事件',
  'process.multipleNoneStarts': () => '流程有多个空开始事件',
  'subProcess.start': fixed({
    'a sub-process needs exactly one none start event': '子流程必须恰好有一个空开始事件',
    'a start event inside a sub-process must be a none start event': '子流程内的开始事件必须是空开始事件',
  }),
  'subProcess.tooDeep': () => `子流程嵌套超过 ${MAX_SUBPROCESS_DEPTH} 层`,
  'flow.dangling': from(
    /^the sequence flow's (source|target) (?:"([\s\S]*)" )?does not exist$/,
    (end, id) => `顺序流的${end === 'source' ? '起点' : '终点'}${id ? ` "${id}" ` : ''}不存在`,
  ),
  'flow.crossesScope': () => '顺序流不能跨越子流程边界',
  'flow.intoEvent': from(
    /^a sequence flow may not lead into a (\S+)$/,
    (kind) => `顺序流不能指向${kindZh(kind)}`,
  ),
  'flow.outOfEnd': () => '顺序流不能从结束事件出发',
  'flow.unreachable': from(
    /^no sequence flow leads to ([\s\S]*): it can never be reached$/,
    (id) => `没有顺序流通向 ${id}，它永远不会被执行到`,
  ),
  'flow.noOutgoing': from(
    /^the (\S+) has no outgoing sequence flow$/,
    (kind) => `${kindZh(kind)}没有流出的顺序流`,
  ),
  'boundary.host': () => '边界事件没有依附在受支持的活动上',
  'boundary.scope': from(
    /^the boundary event must be in the same process or sub-process as ([\s\S]*), the activity it is attached to$/,
    (host) => `边界事件必须与其依附的活动 ${host} 位于同一流程或子流程中`,
  ),
  'boundary.errorNonInterrupting': () => '错误边界事件总是中断型的',
  'boundary.noOutgoing': () => '边界事件没有流出的顺序流',
  'gateway.default': () => '默认流不是此元素的流出顺序流',
  'gateway.missingCondition': from(
    /^flow "([\s\S]*)" leaving split ([\s\S]*) has no condition and is not the default flow$/,
    (flow, gateway) => `离开分支 ${gateway} 的顺序流 "${flow}" 既没有条件，也不是默认流`,
  ),
  'gateway.parallelCondition': from(
    /^conditions are not allowed on flows leaving a parallel gateway \(([\s\S]*)\)/,
    (gateway) => `离开并行网关（${gateway}）的顺序流不允许设置条件；需要按条件分支请改用包容网关`,
  ),
  'gateway.eventBasedCondition': from(
    /^conditions are not allowed on flows leaving an event-based gateway \(([\s\S]*)\)/,
    (gateway) => `离开事件网关（${gateway}）的顺序流不允许设置条件：由先发生的事件决定走向`,
  ),
  'gateway.eventBased': () => '事件网关需要两条或以上流出顺序流，每条都指向定时/消息捕获事件或接收任务',
  'inclusive.tooMany': from(
    /^too many inclusive joins for this model size: (\d+) joins/,
    (joins) => `包容网关汇聚过多（${joins} 个），超出本模型规模可处理的上限`,
  ),
  'event.multiple': () => '不支持带多个事件定义的事件',
  'timer.definition': () => '定时器必须且只能设置 timeDate、timeDuration、timeCycle 之一',
  'timer.invalid': (message) => `定时器的值无效：${message}`,
  'message.missingName': fixed({
    'the message event refers to no message with a name': '消息事件没有引用带名称的消息',
    'the task refers to no message with a name': '任务没有引用带名称的消息',
  }),
  'callActivity.noProcess': () => '调用活动没有指定被调用的流程 (calledElement)',
  'callActivity.unknownProcess': from(
    /^the called process "([\s\S]*)" is not deployed$/,
    (id) => `被调用的流程 "${id}" 尚未部署`,
  ),
  'feel.syntax': (message) => `FEEL 表达式有误：${message}`,
  'connector.noUrl': () => '这些 gov: 属性只用于部门接口任务，接口任务需要 gov:url',
  'connector.type': () => '部门接口任务（gov:url）的作业类型是固定的，请删除 gov:type',
  'connector.url': (message) => `gov:url 无效：${message}`,
  'connector.method': () => `gov:method 只能是 GET、POST、PUT、PATCH 或 DELETE`,
  'connector.body': () => 'GET 和 DELETE 请求不发送 gov:body，请改用 POST、PUT 或 PATCH',
  'connector.timeout': (message) => `gov:timeout 超出允许范围：${message}`,
  'businessRule.incomplete': () => '业务规则任务需要 gov:expression 和 gov:resultVariable',
  'gov.timeLimit': () => 'gov:timeLimit 必须是不小于 0 的整数（工作日）',
  'gov.specialStepLimit': () =>
    '特殊环节（gov:specialStep="true"）必须设置本环节的时限：请填写 gov:timeLimit（工作日）',
  'multiInstance.noInput': () => '多实例需要 gov:collection 或循环基数 (loopCardinality)',
  'multiInstance.output': () => 'gov:outputElement 需要同时设置 gov:outputCollection',
  'multiInstance.notActivity': () => '只有活动可以设置多实例',
  'mapping.incomplete': () => '输入/输出映射需要 source 和 target',
};

/** The problem's message in Chinese, or undefined when its code or wording is not known here. */
export function problemZh(problem: Problem): string | undefined {
  const zh = Object.hasOwn(ZH, problem.code) ? ZH[problem.code] : undefined;
  return zh?.(problem.message);
}

/** The problem codes given a Chinese text here. */
export const CODES_IN_CHINESE: ReadonlySet<string> = new Set(Object.keys(ZH));
