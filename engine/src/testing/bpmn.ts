/**
 * Tiny builders for inline BPMN in tests, so every test shows its own model.
 *
 *   definitions(process('p', `
 *     <bpmn:startEvent id="start"/>
 *     <bpmn:userTask id="review" gov:department="police"/>
 *     <bpmn:endEvent id="end"/>
 *     ${chain('start', 'review', 'end')}`))
 *
 * No diagram interchange: the engine never needs it.
 */

export const BPMN_NS = 'http://www.omg.org/spec/BPMN/20100524/MODEL';
export const XSI_NS = 'http://www.w3.org/2001/XMLSchema-instance';
export const GOV_NS = 'http://onething.dev/schema/bpmn/gov/1.0';

/** Wrap root elements (processes, messages, errors, escalations…) in bpmn:definitions with every namespace we use. */
export function definitions(body: string, extraRootElements = '', id = 'defs'): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<bpmn:definitions xmlns:bpmn="${BPMN_NS}" xmlns:xsi="${XSI_NS}" xmlns:gov="${GOV_NS}" ` +
    `id="${id}" targetNamespace="http://onething.dev/test">\n` +
    `${extraRootElements}\n${body}\n</bpmn:definitions>\n`
  );
}

/** An executable process. */
export function process(id: string, body: string, attrs = ''): string {
  return `<bpmn:process id="${id}" isExecutable="true"${attrs ? ' ' + attrs : ''}>\n${body}\n</bpmn:process>`;
}

/** definitions(process(id, body), extra): the common case of one process per model. */
export function model(processId: string, body: string, extraRootElements = ''): string {
  return definitions(process(processId, body), extraRootElements);
}

/** Escape text for an XML attribute or element body (FEEL uses <, >, & and quotes). */
export function xmlEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Id used by flow()/chain() when none is given: `source_target`. */
export function flowId(source: string, target: string): string {
  return `${source}_${target}`;
}

/**
 * A sequence flow. `condition` is FEEL (written plainly, escaped here), e.g. '= amount > 100'.
 * Pass `id` to name it (needed for a gateway's default attribute).
 */
export function flow(
  source: string,
  target: string,
  condition?: string,
  id = flowId(source, target),
): string {
  if (condition === undefined) {
    return `<bpmn:sequenceFlow id="${id}" sourceRef="${source}" targetRef="${target}"/>`;
  }
  return (
    `<bpmn:sequenceFlow id="${id}" sourceRef="${source}" targetRef="${target}">` +
    `<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">${xmlEscape(condition)}</bpmn:conditionExpression>` +
    `</bpmn:sequenceFlow>`
  );
}

/** Unconditional flows through the given element ids in order: chain('a','b','c') = a→b, b→c. */
export function chain(...ids: string[]): string {
  const out: string[] = [];
  for (let i = 0; i + 1 < ids.length; i++) out.push(flow(ids[i]!, ids[i + 1]!));
  return out.join('\n');
}

/** Attribute list from a record, skipping undefined; values are escaped. */
export function attrs(record: Record<string, string | number | boolean | undefined>): string {
  return Object.entries(record)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}="${xmlEscape(String(v))}"`)
    .join(' ');
}

// ---- a few element builders for the most repeated shapes ----

export const startEvent = (id = 'start'): string => `<bpmn:startEvent id="${id}"/>`;
export const endEvent = (id = 'end'): string => `<bpmn:endEvent id="${id}"/>`;

export function userTask(
  id: string,
  gov: Record<string, string | number | boolean | undefined> = {},
): string {
  const govAttrs = attrs(Object.fromEntries(Object.entries(gov).map(([k, v]) => [`gov:${k}`, v])));
  return `<bpmn:userTask id="${id}"${govAttrs ? ' ' + govAttrs : ''}/>`;
}

export function serviceTask(id: string, type: string): string {
  return `<bpmn:serviceTask id="${id}" gov:type="${xmlEscape(type)}"/>`;
}

/** Definitions-level message; correlationKey is FEEL (default: the instance business key). */
export function message(id: string, name: string, correlationKey?: string): string {
  const key = correlationKey === undefined ? '' : ` gov:correlationKey="${xmlEscape(correlationKey)}"`;
  return `<bpmn:message id="${id}" name="${xmlEscape(name)}"${key}/>`;
}

export const error = (id: string, code: string): string => `<bpmn:error id="${id}" errorCode="${code}"/>`;
export const escalation = (id: string, code: string): string =>
  `<bpmn:escalation id="${id}" escalationCode="${code}"/>`;

/** Timer definition body: timer('timeDuration', 'PT1H'). */
export function timer(kind: 'timeDate' | 'timeDuration' | 'timeCycle', value: string): string {
  return (
    `<bpmn:timerEventDefinition>` +
    `<bpmn:${kind} xsi:type="bpmn:tFormalExpression">${xmlEscape(value)}</bpmn:${kind}>` +
    `</bpmn:timerEventDefinition>`
  );
}
