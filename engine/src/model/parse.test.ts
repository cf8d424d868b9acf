import { BPMN_NS } from '../testing/bpmn.js';
import { problemZh } from './messages-zh.js';
import { MAX_MODEL_ELEMENTS, MAX_PARSE_PROBLEMS, parseXml } from './parse.js';

/** A model whose body starts on line 3, after `prefix`; lines end with `\n` (change them with `.replace`). */
const modelAfter = (prefix: string, body: string) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<bpmn:definitions xmlns:bpmn="${BPMN_NS}" id="d" targetNamespace="t">\n` +
  `${prefix}<bpmn:process id="p">\n${body}\n</bpmn:process>\n</bpmn:definitions>\n`;

/** Three warnings: two unknown elements and an attribute with an undeclared prefix. */
const threeWarnings = '  <bpmn:bogus id="a"/>\n\t<bpmn:task id="t" q:x="1"/><bpmn:oddity/>';

/** The messages of a model's problems. */
async function messagesOf(xml: string): Promise<string[]> {
  return (await parseXml(xml)).problems.map((p) => p.message);
}

/**
 * Characters read by the line-break search of saxen's parse positions (the one bpmn-moddle loads)
 * while `run` runs: the search is a global regular expression whose exec calls are counted here.
 */
async function lineBreakSearch(run: () => Promise<unknown>): Promise<number> {
  const exec = RegExp.prototype.exec;
  let read = 0;
  RegExp.prototype.exec = function (this: RegExp, text: string) {
    const from = this.lastIndex;
    const match = exec.call(this, text);
    if (this.source === String.raw`(\r\n|\r|\n)`) read += (match ? this.lastIndex : text.length) - from;
    return match;
  };
  try {
    await run();
  } finally {
    RegExp.prototype.exec = exec;
  }
  return read;
}

describe('parse warnings', () => {
  it('name the line and column of each unknown element and attribute, with any line ending', async () => {
    for (const lineEnd of ['\n', '\r\n', '\r']) {
      const xml = modelAfter('', threeWarnings).replace(/\n/g, lineEnd);
      expect(await messagesOf(xml)).toEqual([
        '<bpmn:bogus> is not a BPMN 2.0 element (line 4, column 2)',
        '<bpmn:task> cannot appear here: missing namespace for prefix <q> (line 5, column 1)',
        '<bpmn:oddity/> is not a BPMN 2.0 element (line 5, column 28)',
      ]);
    }
  });

  it('keep their positions after a long prefix', async () => {
    const lines = 20_000;
    const prefix = '<!-- filler -->\n'.repeat(lines);
    expect(await messagesOf(modelAfter(prefix, threeWarnings))).toEqual([
      `<bpmn:bogus> is not a BPMN 2.0 element (line ${lines + 4}, column 2)`,
      `<bpmn:task> cannot appear here: missing namespace for prefix <q> (line ${lines + 5}, column 1)`,
      `<bpmn:oddity/> is not a BPMN 2.0 element (line ${lines + 5}, column 28)`,
    ]);
    const oneLine = `${'<!-- filler -->'.repeat(lines)}<bpmn:bogus/>`;
    expect(await messagesOf(modelAfter('', oneLine))).toEqual([
      `<bpmn:bogus/> is not a BPMN 2.0 element (line 4, column ${15 * lines})`,
    ]);
  });

  it('are placed by reading the model once, not once per warning', async () => {
    // Each position used to be counted from the start of the text: quadratic in the warnings.
    const unknown = Array.from({ length: MAX_PARSE_PROBLEMS }, (_, i) => `  <bpmn:bogus id="b${i}"/>`);
    for (const xml of [modelAfter('', unknown.join('\n')), modelAfter('', unknown.join(''))]) {
      let messages: string[] = [];
      const read = await lineBreakSearch(async () => (messages = await messagesOf(xml)));
      expect(messages).toHaveLength(MAX_PARSE_PROBLEMS);
      expect(read).toBeGreaterThan(0);
      expect(read).toBeLessThanOrEqual(xml.length);
    }
  });

  it('past the limit refuse the model, naming how many there are and listing the first ones', async () => {
    const count = MAX_PARSE_PROBLEMS + 1;
    const unknown = Array.from({ length: count }, (_, i) => `<bpmn:bogus id="b${i}"/>`).join('\n');
    const { definitions, problems } = await parseXml(modelAfter('', unknown));
    expect(definitions).toBeNull();
    expect(problems).toHaveLength(count);
    expect(problems[0]).toEqual({
      elementId: '',
      elementType: 'bpmn:Definitions',
      code: 'xml.tooManyProblems',
      message: `too many unknown elements, attributes or references (${count}); the first ${MAX_PARSE_PROBLEMS} are listed`,
    });
    expect(problemZh(problems[0]!)).toBe(
      `无法识别的元素、属性或引用过多（${count} 个），仅列出前 ${MAX_PARSE_PROBLEMS} 个`,
    );
    expect(problems[MAX_PARSE_PROBLEMS]!.message).toBe(
      `<bpmn:bogus> is not a BPMN 2.0 element (line ${MAX_PARSE_PROBLEMS + 3}, column 0)`,
    );
  });
});

describe('the element limit', () => {
  const tasks = (n: number) => Array.from({ length: n }, (_, i) => `<bpmn:task id="t${i}"/>`).join('');
  // The definitions and process elements, and one other: the model below is one element past the limit.
  const past = modelAfter('<bpmn:documentation>d</bpmn:documentation>', tasks(MAX_MODEL_ELEMENTS - 2));

  it('refuses a model with more elements before parsing it, naming how many', async () => {
    const { definitions, problems } = await parseXml(past);
    expect(definitions).toBeNull();
    expect(problems).toEqual([
      expect.objectContaining({
        code: 'xml.tooManyElements',
        message: `the model has ${MAX_MODEL_ELEMENTS + 1} elements, more than ${MAX_MODEL_ELEMENTS}`,
      }),
    ]);
    expect(problemZh(problems[0]!)).toBe(
      `模型含 ${MAX_MODEL_ELEMENTS + 1} 个元素，超过上限 ${MAX_MODEL_ELEMENTS} 个`,
    );
  });

  it('counts start tags only: end tags, comments, declarations and a spaced "<" in text are not elements', async () => {
    const body = `<!-- <a> --><bpmn:task id="a"></bpmn:task>\n<bpmn:task id="b" name="x &lt; y"/><![CDATA[ a < b ]]>`;
    const { definitions } = await parseXml(modelAfter('', body));
    expect(definitions?.rootElements?.[0]?.flowElements).toHaveLength(2);
  });
});
