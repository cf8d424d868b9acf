/**
 * XML → moddle definitions, with the guards that must run before any XML parser sees the text:
 * a size limit and a refusal of DOCTYPE (entity declarations are how XML bombs and external
 * references get in; BPMN never needs them).
 */
import { BpmnModdle, type ParseWarning } from 'bpmn-moddle';
import { readFileSync } from 'node:fs';
import type { Problem } from '../api.js';

const govDescriptor = JSON.parse(readFileSync(new URL('./gov-moddle.json', import.meta.url), 'utf8'));

/** Largest model accepted, in bytes (a 500-element bundle is ~300 KB). */
export const MAX_MODEL_BYTES = 5 * 1024 * 1024;

/**
 * Most XML elements a model may hold (a 500-element bundle with its diagram has a few thousand):
 * the parser builds an object, and for an unknown element an Error too, for every one, so 5 MB of
 * `<x/>` (1.3 million) took 17 s of CPU and 1.8 GB before any other check could refuse it.
 */
export const MAX_MODEL_ELEMENTS = 200_000;

/**
 * Most parse warnings (unknown elements and attributes, bad references) listed as problems; a
 * model with more is refused with their count, so one upload cannot make a huge problem list.
 */
export const MAX_PARSE_PROBLEMS = 1000;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ModdleElement = any;

export interface ParseResult {
  definitions: ModdleElement | null;
  problems: Problem[];
}

export function createModdle(): BpmnModdle {
  return new BpmnModdle({ gov: govDescriptor });
}

function problem(code: string, message: string, elementId = '', elementType = 'bpmn:Definitions'): Problem {
  return { elementId, elementType, code, message };
}

/** Checks that need only the raw text. */
export function guardXml(xml: unknown): Problem[] {
  if (typeof xml !== 'string') return [problem('xml.notText', 'the model must be BPMN 2.0 XML text')];
  if (Buffer.byteLength(xml, 'utf8') > MAX_MODEL_BYTES) {
    return [problem('xml.tooLarge', `the model is larger than ${MAX_MODEL_BYTES} bytes`)];
  }
  if (/<!DOCTYPE/i.test(xml) || /<!ENTITY/i.test(xml)) {
    return [problem('xml.doctype', 'DOCTYPE and entity declarations are not allowed in a model')];
  }
  if (xml.trim() === '') return [problem('xml.empty', 'the model is empty')];
  const elements = elementCount(xml);
  if (elements > MAX_MODEL_ELEMENTS)
    return [
      problem('xml.tooManyElements', `the model has ${elements} elements, more than ${MAX_MODEL_ELEMENTS}`),
    ];
  return [];
}

/**
 * Start tags in the text, counted before parsing: a `<` followed by what may begin a name (not
 * `/`, `!`, `?` or a space). A `<` inside CDATA may count too: an upper bound is what is wanted.
 */
function elementCount(xml: string): number {
  let count = 0;
  for (let at = xml.indexOf('<'); at >= 0; at = xml.indexOf('<', at + 1)) {
    const next = xml.charCodeAt(at + 1);
    if (next !== 0x2f && next !== 0x21 && next !== 0x3f && next > 0x20) count++;
  }
  return count;
}

/** gov attributes with a non-string type: moddle would coerce "2.5" to 2 and "maybe" to false. */
interface TypedAttribute {
  /** The element types the attribute extends (bpmn:UserTask …). */
  on: string[];
  name: string;
  type: 'Integer' | 'Boolean';
}

type DescriptorType = {
  extends?: string[];
  properties?: { name: string; type: string; isAttr?: boolean }[];
};

const TYPED_GOV_ATTRIBUTES: TypedAttribute[] = (govDescriptor.types as DescriptorType[]).flatMap((t) =>
  (t.properties ?? [])
    .filter((p) => p.isAttr && (p.type === 'Integer' || p.type === 'Boolean'))
    .map((p) => ({ on: t.extends ?? [], name: p.name, type: p.type as TypedAttribute['type'] })),
);

/**
 * The gov descriptor as the engine parses with it: typed attributes read as text, so their raw
 * value is checked on the parsed element (typedAttributeProblems) before it is converted. Checking
 * the XML text instead needs a scan of every tag, which a hostile model can make slow, and which
 * an attribute value holding ">" could skip.
 */
const parsingDescriptor = {
  ...govDescriptor,
  types: (govDescriptor.types as DescriptorType[]).map((t) => ({
    ...t,
    properties: t.properties?.map((p) =>
      p.isAttr && (p.type === 'Integer' || p.type === 'Boolean') ? { ...p, type: 'String' } : p,
    ),
  })),
};

/**
 * Checks the raw text of the typed gov attributes on every flow element (into sub-processes,
 * without recursion), naming the element, and gives each valid one its typed value.
 */
function typedAttributeProblems(definitions: ModdleElement): Problem[] {
  const problems: Problem[] = [];
  const stack: ModdleElement[] = [...(definitions.rootElements ?? [])];
  while (stack.length) {
    const element = stack.pop();
    if (!element || typeof element !== 'object') continue;
    if (Array.isArray(element.flowElements)) for (const child of element.flowElements) stack.push(child);
    for (const attribute of TYPED_GOV_ATTRIBUTES) {
      const value: unknown = element[attribute.name];
      if (typeof value !== 'string' || !attribute.on.some((type) => element.$instanceOf?.(type))) continue;
      const text = value.trim();
      if (attribute.type === 'Integer' ? /^\d+$/.test(text) : text === 'true' || text === 'false') {
        element[attribute.name] = attribute.type === 'Integer' ? Number(text) : text === 'true';
        continue;
      }
      delete element[attribute.name];
      problems.push(
        problem(
          'gov.attributeType',
          `gov:${attribute.name}="${value}" must be ${attribute.type === 'Integer' ? 'a whole number ≥ 0' : 'true or false'}`,
          typeof element.id === 'string' ? element.id : '',
          element.$type ?? 'unknown',
        ),
      );
    }
  }
  return problems;
}

export async function parseXml(xml: unknown): Promise<ParseResult> {
  const guarded = guardXml(xml);
  if (guarded.length) return { definitions: null, problems: guarded };
  const moddle = new BpmnModdle({ gov: parsingDescriptor });
  try {
    const { rootElement, warnings } = await moddle.fromXML(xml as string, 'bpmn:Definitions');
    // A diagram (bpmndi) pointing at a missing element is a drawing fault, not an execution one.
    const semantic = warnings.filter(
      (w: ParseWarning) => !/^(bpmndi|dc|di):/.test((w.element as ModdleElement)?.$type ?? ''),
    );
    const problems = problemsOfWarnings(semantic);
    if (!rootElement || rootElement.$type !== 'bpmn:Definitions') {
      problems.push(problem('xml.notBpmn', 'the root element is not bpmn:definitions'));
      return { definitions: null, problems };
    }
    if (semantic.length > MAX_PARSE_PROBLEMS) return { definitions: null, problems };
    return { definitions: rootElement, problems: [...typedAttributeProblems(rootElement), ...problems] };
  } catch (err) {
    const message = ((err as Error).message ?? String(err)).split('\n')[0] ?? 'unparsable XML';
    return { definitions: null, problems: [problem('xml.malformed', `malformed XML: ${message}`)] };
  }
}

/** The first MAX_PARSE_PROBLEMS warnings as problems, after one that counts them all when there are more. */
function problemsOfWarnings(warnings: ParseWarning[]): Problem[] {
  const problems = warnings.slice(0, MAX_PARSE_PROBLEMS).map(problemOfWarning);
  if (warnings.length <= MAX_PARSE_PROBLEMS) return problems;
  const tooMany = problem(
    'xml.tooManyProblems',
    `too many unknown elements, attributes or references (${warnings.length}); the first ${MAX_PARSE_PROBLEMS} are listed`,
  );
  return [tooMany, ...problems];
}

/** Turns a moddle warning into a problem that names the element and says what is wrong. */
function problemOfWarning(w: ParseWarning & { error?: Error }): Problem {
  // An event definition has no id of its own: name the event that holds it.
  let element = w.element as ModdleElement | undefined;
  while (element && !element.id && element.$parent) element = element.$parent;
  const first = w.message.split('\n')[0] ?? w.message;
  const where = /line: (\d+)\s+column: (\d+)/.exec(w.message);
  const at = where ? ` (line ${Number(where[1]) + 1}, column ${where[2]})` : '';
  const tag = /unparsable content <([^>]+)>/.exec(first)?.[1];
  const nested = w.error?.message ?? '';
  const duplicate = /duplicate ID <([^>]+)>/.exec(nested);
  if (duplicate) {
    return problem(
      'element.duplicateId',
      `the id "${duplicate[1]}" is used twice in the document${at}`,
      duplicate[1]!,
      tag ?? 'unknown',
    );
  }
  if (tag) {
    const reason = /unknown type/.test(nested)
      ? 'is not a BPMN 2.0 element'
      : `cannot appear here${nested ? `: ${nested}` : ''}`;
    return problem('element.unknown', `<${tag}> ${reason}${at}`, '', tag);
  }
  const unresolved = /unresolved reference <([^>]+)>/.exec(first);
  if (unresolved) {
    const property = (w.property ?? 'reference').replace(/^bpmn:/, '');
    return problem(
      'reference.unresolved',
      `${property} points at "${unresolved[1]}", which does not exist`,
      element?.id ?? '',
      element?.$type ?? 'unknown',
    );
  }
  return problem('xml.invalid', `${first}${at}`, element?.id ?? '', element?.$type ?? 'unknown');
}
