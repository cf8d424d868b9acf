/**
 * Hostile and broken BPMN: generated and mutated XML must always give a problem list or plans —
 * never an exception, a hang or an entity expansion.
 */
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { MAX_MODEL_BYTES, parseAndCompile } from '../../engine/src/model/index.js';

const valid = readFileSync(new URL('../../examples/business-startup/process.bpmn', import.meta.url), 'utf8');
const stats = { tried: 0, crashes: 0, withProblems: 0 };

async function mustAnswer(xml: unknown): Promise<void> {
  stats.tried++;
  try {
    const { plans, problems } = await parseAndCompile(xml);
    if (problems.length) stats.withProblems++;
    expect(plans.length > 0 || problems.length > 0).toBe(true);
    for (const p of problems) {
      expect(typeof p.code).toBe('string');
      expect(typeof p.message).toBe('string');
      expect(typeof p.elementId).toBe('string');
      expect(typeof p.elementType).toBe('string');
    }
  } catch (err) {
    stats.crashes++;
    throw err;
  }
}

describe('hostile models', () => {
  afterAll(() =>
    console.log(
      `hostile models: ${stats.tried} tried, ${stats.withProblems} with problems, ${stats.crashes} crashes`,
    ),
  );

  it('entity declarations, external references and DOCTYPEs are refused before parsing', async () => {
    const bomb =
      '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>' +
      '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"><bpmn:process id="p">&lol2;</bpmn:process></bpmn:definitions>';
    const external = '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]><d>&x;</d>';
    for (const xml of [
      bomb,
      external,
      valid.replace('<bpmn:definitions', '<!DOCTYPE bpmn:definitions><bpmn:definitions'),
    ]) {
      const { problems } = await parseAndCompile(xml);
      expect(problems.map((p) => p.code)).toEqual(['xml.doctype']);
    }
  });

  it('oversize models, deep nesting, huge attributes and non-text input give problems, fast', async () => {
    const t0 = Date.now();
    await mustAnswer('x'.repeat(MAX_MODEL_BYTES + 1));
    await mustAnswer(`<a>${'<b>'.repeat(10_000)}${'</b>'.repeat(10_000)}</a>`);
    const nested = '<bpmn:subProcess id="s">'.repeat(2_000) + '</bpmn:subProcess>'.repeat(2_000);
    await mustAnswer(
      valid.replace('<bpmn:startEvent id="accepted"', `${nested}<bpmn:startEvent id="accepted"`),
    );
    await mustAnswer(
      valid.replace('name="企业开办一件事 Start a business"', `name="${'长'.repeat(1_000_000)}"`),
    );
    for (const junk of [null, 42, {}, [], '', '   ', '<', '<?xml version="1.0"?>', '\u0000\u0001'])
      await mustAnswer(junk);
    expect(Date.now() - t0).toBeLessThan(60_000);
  });

  /** A bare BPMN model (no prefixes) around a process body. */
  const bare = (body: string) =>
    '<?xml version="1.0"?><definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" ' +
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:gov="http://onething.dev/schema/bpmn/gov/1.0" ' +
    `id="d" targetNamespace="x"><process id="p" isExecutable="true">${body}</process></definitions>`;

  /** A chain of `n` inclusive gateways, each joining the two flows of the one before. */
  function inclusiveChain(n: number, condition: string): string {
    let body =
      '<startEvent id="s"/><sequenceFlow id="f" sourceRef="s" targetRef="g0"/><inclusiveGateway id="g0"/>';
    for (let i = 1; i <= n; i++) {
      body += `<inclusiveGateway id="g${i}"/>`;
      for (const f of ['a', 'b'])
        body += `<sequenceFlow id="${f}${i}" sourceRef="g${i - 1}" targetRef="g${i}">${condition}</sequenceFlow>`;
    }
    return bare(`${body}<endEvent id="e"/><sequenceFlow id="z" sourceRef="g${n}" targetRef="e"/>`);
  }

  it('thousands of chained inclusive joins are refused with a problem, in bounded time and memory', async () => {
    // Each join's upstream set was a full Set of the nodes before it: N joins, N²/2 entries.
    const condition = '<conditionExpression xsi:type="tFormalExpression">= x</conditionExpression>';
    // Refused by count before any set is built: N²/2 entries would take longer than the test's timeout.
    const { plans, problems } = await parseAndCompile(inclusiveChain(3_000, condition));
    expect(plans).toEqual([]);
    expect(problems.map((p) => [p.code, p.elementId])).toEqual([['inclusive.tooMany', 'p']]);
    // A model with other problems (flows without conditions) gets no plan, so no upstream sets at all.
    const unconditional = await parseAndCompile(inclusiveChain(12_000, ''));
    expect(new Set(unconditional.problems.map((p) => p.code))).toEqual(new Set(['gateway.missingCondition']));
    // A few joins still compile.
    expect((await parseAndCompile(inclusiveChain(50, condition))).problems).toEqual([]);
  });

  it('a long run of letters inside a tag (xmlns:gov declared) is parsed in linear time', async () => {
    const t0 = Date.now();
    await mustAnswer(bare(`<userTask id="t" ${'a'.repeat(100_000)} />`));
    await mustAnswer(bare(`<userTask id="t" gov:department="${'a'.repeat(100_000)}" gov:timeLimit="x" />`));
    expect(Date.now() - t0).toBeLessThan(3_000);
  });

  it('sub-processes nested deeper than the engine accepts are a problem naming the element, not a stack overflow', async () => {
    const depth = 20_000;
    let open = '';
    let close = '';
    for (let i = 0; i < depth; i++) {
      open += `<subProcess id="s${i}">`;
      close += '</subProcess>';
    }
    const t0 = Date.now();
    const { problems } = await parseAndCompile(bare(`<startEvent id="st"/>${open}${close}`));
    expect(problems.filter((p) => p.code === 'subProcess.tooDeep').map((p) => p.elementId)).toEqual(['s32']);
    expect(Date.now() - t0).toBeLessThan(10_000);
  });

  it('random mutations of a real model never crash the parser or the compiler', async () => {
    const mutation = fc.oneof(
      fc.record({
        kind: fc.constant('delete' as const),
        at: fc.nat(),
        length: fc.integer({ min: 1, max: 40 }),
      }),
      fc.record({
        kind: fc.constant('insert' as const),
        at: fc.nat(),
        text: fc.constantFrom(
          '<',
          '>',
          '"',
          '&',
          '</bpmn:process>',
          '<bpmn:task id="t"/>',
          '&amp;',
          '\u0000',
          '<bpmn:complexGateway id="cg"/>',
          'id="accepted"',
        ),
      }),
      fc.record({
        kind: fc.constant('duplicate' as const),
        at: fc.nat(),
        length: fc.integer({ min: 1, max: 400 }),
      }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 5 }), async (mutations) => {
        let xml = valid;
        for (const m of mutations) {
          const at = m.at % xml.length;
          if (m.kind === 'delete') xml = xml.slice(0, at) + xml.slice(at + m.length);
          else if (m.kind === 'insert') xml = xml.slice(0, at) + m.text + xml.slice(at);
          else xml = xml.slice(0, at) + xml.slice(at, at + m.length) + xml.slice(at);
        }
        await mustAnswer(xml);
      }),
      { numRuns: 400 },
    );
  });

  it('random text never crashes the parser', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 300 }), async (text) => mustAnswer(text)),
      { numRuns: 300 },
    );
  });
});
