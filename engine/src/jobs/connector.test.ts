/**
 * The service-task connector against a real department-system stub: an HTTP server on 127.0.0.1
 * that does its work once per Idempotency-Key and answers a repeated key with the stored result.
 * The engine runs on a SQLite file and on the MongoDB-wire test server; the runner's clock is fake
 * so backoff delays are stepped over.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createEngine, type Engine } from '../index.js';
import { validate } from '../model/index.js';
import type { Store } from '../store/port.js';
import { DURABLE, dropStore, sqlite } from '../../../test/store/stores.js';
import { compile, constant } from '../expressions/feel.js';
import type { ConnectorSpec } from '../model/plan.js';
import { attrs, chain, endEvent, error, flow, model, startEvent, userTask } from '../testing/bpmn.js';
import { fakeClock, SECOND, type FakeClock } from '../testing/harness.js';
import {
  callDepartment,
  CONNECTOR_ORIGINS_ENV,
  ConnectorFailure,
  parseAllowedOrigins,
  requestIdempotencyKey,
} from './connector.js';
import { ConnectorRunner } from './connector-runner.js';
import { connectorService } from './connector-service.js';
import { CONNECTOR_JOB_TYPE } from '../model/connector-spec.js';

/** What the stub does with a call that has no stored result yet ('reject-echo': a 422 quoting the request). */
type Behaviour = 'ok' | 'fail' | 'work-then-drop' | 'slow' | 'reject' | 'reject-echo';

interface Call {
  method: string;
  path: string;
  key: string | undefined;
  headers: IncomingMessage['headers'];
  body: string;
}

/** A department system: does the work (an "effect") once per Idempotency-Key. */
class DepartmentStub {
  readonly calls: Call[] = [];
  readonly effects: { key: string; body: unknown }[] = [];
  /** Behaviour of the next calls in order; when used up, `then`. */
  script: Behaviour[] = [];
  then: Behaviour = 'ok';
  /** Chooses by the request body before script and then, when it answers. */
  byBody: (body: unknown) => Behaviour | undefined = () => undefined;
  private readonly stored = new Map<string, string>();
  private server!: Server;
  origin = '';

  async listen(): Promise<void> {
    this.server = createServer((req, res) => this.handle(req, res));
    await new Promise<void>((ok) => this.server.listen(0, '127.0.0.1', ok));
    this.origin = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((ok) => this.server.close(ok));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const key = req.headers['idempotency-key'] as string | undefined;
      this.calls.push({ method: req.method!, path: req.url!, key, headers: req.headers, body });
      const json = (status: number, value: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(value));
      };
      if (key && this.stored.has(key)) {
        res.writeHead(200, { 'content-type': 'application/json', 'idempotent-replay': 'true' });
        res.end(this.stored.get(key));
        return;
      }
      const parsed = body ? JSON.parse(body) : null;
      const behaviour = this.byBody(parsed) ?? this.script.shift() ?? this.then;
      if (behaviour === 'fail') return json(503, { error: 'maintenance' });
      if (behaviour === 'reject') return json(422, { error: 'unknown applicant' });
      if (behaviour === 'reject-echo')
        return json(422, {
          error: 'unknown applicant',
          path: req.url,
          holder: req.headers['x-holder'],
          parsed,
        });
      if (behaviour === 'slow') {
        setTimeout(() => json(200, { late: true }), 3000).unref();
        return;
      }
      this.effects.push({ key: key ?? '', body: parsed });
      const result = JSON.stringify({ cleared: true, receipt: `R-${this.effects.length}`, echo: parsed });
      if (key) this.stored.set(key, result);
      // The work is done but the answer is lost on the way back.
      if (behaviour === 'work-then-drop') return void res.socket?.destroy();
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(result);
    });
  }
}

function connectorModel(task: Record<string, string | number | undefined>, boundary = ''): string {
  return model(
    'taxcheck',
    `
    ${startEvent('start')}
    <bpmn:serviceTask id="askTax" ${attrs(Object.fromEntries(Object.entries(task).map(([k, v]) => [`gov:${k}`, v])))}/>
    ${boundary}
    ${userTask('review')}
    ${endEvent('end')}
    ${chain('start', 'askTax', 'review', 'end')}`,
    boundary ? error('E_REFUSED', 'REFUSED') : '',
  );
}

describe.each(DURABLE.map((f) => [f.kind, f] as const))('service-task connector on %s', (_kind, factory) => {
  let stub: DepartmentStub;
  let location: string;
  let store: Store;
  let engine: Engine;
  let clock: FakeClock;
  const backoff = { baseMs: 10 * SECOND, factor: 2, maxMs: 600 * SECOND };
  const runner = (allowed = [stub.origin]) =>
    new ConnectorRunner({ engine, allowedOrigins: allowed, clock: clock.now, backoff, owner: 'test' });

  beforeEach(async () => {
    stub = new DepartmentStub();
    await stub.listen();
    location = factory.location('connector');
    store = await factory.open(location);
    clock = fakeClock();
    engine = createEngine({ store, clock: clock.now });
  });
  afterEach(async () => {
    await stub.close();
    await dropStore(store);
    await store.close();
  });

  async function started(task: Record<string, string | number | undefined>, variables = {}, boundary = '') {
    await engine.deploy(connectorModel(task, boundary));
    return engine.start('taxcheck', { variables });
  }

  it('fails twice (once after doing the work), then succeeds: one effect, one completion, one key', async () => {
    stub.script = ['fail', 'work-then-drop'];
    const v = await started(
      { url: `${stub.origin}/tax/clearance`, body: '= {id: idNumber}', retries: 5 },
      {
        idNumber: '440402199001011234',
      },
    );
    const r = runner();

    expect(await r.runOnce()).toMatchObject({ claimed: 1, retried: 1 });
    // Backoff: nothing is due again until 10 s have passed.
    expect(await r.runOnce()).toMatchObject({ claimed: 0 });
    clock.advance(10 * SECOND);
    expect(await r.runOnce()).toMatchObject({ claimed: 1, retried: 1 });
    clock.advance(10 * SECOND);
    expect(await r.runOnce()).toMatchObject({ claimed: 0 });
    clock.advance(10 * SECOND);
    // Done: the engine's completion also finishes the job in the queue.
    expect(await r.runOnce()).toMatchObject({ claimed: 1, retried: 0, incidents: 0 });
    expect(await r.drain()).toMatchObject({ claimed: 0 });

    expect(stub.calls).toHaveLength(3);
    const key = stub.calls[0]!.key!;
    expect(key).toMatch(new RegExp(`^${v.id}:`)); // a department's log leads back to the case
    expect(new Set(stub.calls.map((c) => c.key))).toEqual(new Set([key]));
    expect(stub.effects).toEqual([{ key, body: { id: '440402199001011234' } }]);
    const after = await engine.instance(v.id);
    expect(after.status).toBe('active');
    expect(after.openTasks.map((t) => t.elementId)).toEqual(['review']);
    expect(after.history.filter((h) => h.type === 'job.completed')).toHaveLength(1);
  });

  it('two engines on one store, each with a runner: the work is done once and the task completes once', async () => {
    const v = await started({
      url: `${stub.origin}/tax`,
      body: '= {n: 1}',
      result: '= {receipt: response.receipt}',
    });
    const otherStore = await factory.open(location);
    try {
      const other = createEngine({ store: otherStore, clock: clock.now });
      const second = new ConnectorRunner({
        engine: other,
        allowedOrigins: [stub.origin],
        clock: clock.now,
        backoff,
        owner: 'second',
      });
      // Both claim the job in their own memory sources and call together.
      await Promise.all([runner().runOnce(), second.runOnce()]);
      clock.advance(60 * SECOND);
      await Promise.all([runner().drain(), second.drain()]);
    } finally {
      await otherStore.close();
    }
    // They share the store's queue, so one of them has the job; whatever reached the stub carried one key and did one effect.
    expect(new Set(stub.calls.map((c) => c.key)).size).toBe(1);
    expect(stub.effects).toHaveLength(1);
    const after = await engine.instance(v.id);
    expect(after.history.filter((h) => h.type === 'job.completed')).toHaveLength(1);
    expect(after.variables).toMatchObject({ receipt: 'R-1' });
    expect(after.openTasks.map((t) => t.elementId)).toEqual(['review']);
  });

  it('start() keeps calling in the background, more than one batch, until stop()', async () => {
    await engine.deploy(connectorModel({ url: `${stub.origin}/tax`, body: '= {n: n}' }));
    const ids = [];
    for (let n = 0; n < 5; n++) ids.push((await engine.start('taxcheck', { variables: { n } })).id);
    const errors: unknown[] = [];
    const background = new ConnectorRunner({
      engine,
      allowedOrigins: [stub.origin],
      clock: clock.now,
      owner: 'background',
      batchSize: 2,
    });
    background.start(20, (err) => errors.push(err));
    try {
      while ((await engine.tasks({ elementId: 'review', state: 'open' })).length < ids.length)
        await new Promise((ok) => setTimeout(ok, 20));
    } finally {
      await background.stop();
    }
    expect(errors).toEqual([]);
    expect(
      stub.effects.map((e) => e.body).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
    ).toEqual([0, 1, 2, 3, 4].map((n) => ({ n })));
  });

  it('always fails: an incident after gov:retries attempts; retrying it after the fix completes the task', async () => {
    stub.then = 'fail';
    const v = await started({ url: `${stub.origin}/tax`, body: '= {n: 1}', retries: 3 });
    const r = runner();
    for (let i = 0; i < 10; i++) {
      await r.runOnce();
      clock.advance(60 * SECOND);
    }
    expect(stub.calls).toHaveLength(3);
    const failed = await engine.instance(v.id);
    expect(failed.status).toBe('incident');
    expect(failed.incident).toMatchObject({ elementId: 'askTax' });
    expect(failed.incident!.message).toMatch(/answered 503.*maintenance.*gave up after 3 attempt/);

    stub.then = 'ok';
    await engine.resolveIncident(v.id);
    expect(await r.drain()).toMatchObject({ claimed: 1, retried: 0, incidents: 0 });
    expect(await r.drain()).toMatchObject({ claimed: 0 });
    expect(stub.calls).toHaveLength(4);
    expect(stub.effects).toHaveLength(1);
    const after = await engine.instance(v.id);
    expect(after.status).toBe('active');
    expect(after.openTasks.map((t) => t.elementId)).toEqual(['review']);
  });

  it('a department system that does not answer within gov:timeout is a failed attempt', async () => {
    stub.then = 'slow';
    const v = await started({ url: `${stub.origin}/slow`, timeout: 1, retries: 1 });
    expect(await runner().runOnce()).toMatchObject({ claimed: 1, incidents: 1 });
    const after = await engine.instance(v.id);
    expect(after.status).toBe('incident');
    expect(after.incident!.message).toMatch(/no answer within 1 s/);
  });

  it('an incident shows a FEEL-built URL by origin and expression, not the personal data in its path', async () => {
    stub.then = 'fail';
    const v = await started(
      { url: '= base + "/person/" + idNumber', retries: 1 },
      { base: stub.origin, idNumber: '440402199001011234' },
    );
    await runner().drain();
    expect(stub.calls.map((c) => c.path)).toEqual(['/person/440402199001011234']);
    const { incident } = await engine.instance(v.id);
    expect(incident!.message).toContain(
      `POST ${stub.origin}/… (gov:url = base + "/person/" + idNumber) answered 503`,
    );
    expect(incident!.message).not.toContain('440402199001011234');
  });

  it('an origin outside the allow-list is never called and is an incident saying how to allow it', async () => {
    const v = await started({ url: `${stub.origin}/tax`, retries: 5 });
    expect(await runner(['https://tax.example.gov.cn']).runOnce()).toMatchObject({
      claimed: 1,
      completed: 1,
    });
    expect(stub.calls).toHaveLength(0);
    const after = await engine.instance(v.id);
    expect(after.status).toBe('incident');
    expect(after.incident!.message).toContain(`${stub.origin} is not an allowed department system`);
    expect(after.incident!.message).toContain(CONNECTOR_ORIGINS_ENV);
  });

  it('maps variables into URL, headers and body by FEEL, and the answer back into variables', async () => {
    const v = await started(
      {
        url: '= base + "/tax/" + caseNo',
        method: 'put',
        headers: '= {"X-Department": "tax", "X-Items": count(items)}',
        body: '= {name: applicant.name, id: applicant.id, items: for i in items return i.code}',
        result: '= {taxCleared: response.cleared, receipt: response.receipt, httpStatus: status}',
      },
      {
        base: stub.origin,
        caseNo: 'C-7',
        applicant: { name: '张三', id: '440402199001011234' },
        items: [{ code: 'seal' }, { code: 'tax' }],
      },
    );
    expect(await runner().drain()).toMatchObject({ claimed: 1, retried: 0, incidents: 0 });

    expect(stub.calls).toHaveLength(1);
    const call = stub.calls[0]!;
    expect(call).toMatchObject({ method: 'PUT', path: '/tax/C-7', key: expect.stringMatching(`^${v.id}:`) });
    expect(call.headers).toMatchObject({
      'x-department': 'tax',
      'x-items': '2',
      'content-type': 'application/json',
    });
    expect(JSON.parse(call.body)).toEqual({ name: '张三', id: '440402199001011234', items: ['seal', 'tax'] });
    const after = await engine.instance(v.id);
    expect(after.variables).toMatchObject({ taxCleared: true, receipt: 'R-1', httpStatus: 200 });
    // Only what gov:result names is kept: the echo of the request is not copied in.
    expect(after.variables).not.toHaveProperty('echo');
    expect(after.variables).not.toHaveProperty('response');
  });

  it("a permanent refusal (422) is the model's BPMN error when it names one, else an incident without retries", async () => {
    stub.then = 'reject';
    const boundary = `<bpmn:boundaryEvent id="refused" attachedToRef="askTax"><bpmn:errorEventDefinition errorRef="E_REFUSED"/></bpmn:boundaryEvent>
      <bpmn:userTask id="fixByHand"/>${chain('refused', 'fixByHand')}<bpmn:endEvent id="handled"/>${chain('fixByHand', 'handled')}`;
    const caught = await started(
      { url: `${stub.origin}/tax`, errorCode: 'REFUSED', retries: 5 },
      {},
      boundary,
    );
    await runner().drain();
    const afterCaught = await engine.instance(caught.id);
    expect(afterCaught.openTasks.map((t) => t.elementId)).toEqual(['fixByHand']);
    expect(afterCaught.variables['connectorError']).toMatchObject({ status: 422 });
    expect(stub.calls).toHaveLength(1);

    const v = await started({ url: `${stub.origin}/tax`, retries: 5 });
    await runner().drain();
    expect(stub.calls).toHaveLength(2);
    const after = await engine.instance(v.id);
    expect(after.status).toBe('incident');
    expect(after.incident!.message).toMatch(/answered 422.*retrying cannot help.*unknown applicant/);
  });

  it('a gov:result that does not give a context is an incident naming the attribute', async () => {
    const v = await started({ url: `${stub.origin}/tax`, result: '= response.receipt' });
    await runner().drain();
    const after = await engine.instance(v.id);
    expect(after.incident?.message).toMatch(/gov:result must give a context.*got a string of 3 characters/);
    expect(after.incident?.message).not.toContain('R-1');
  });

  it('retrying an incident sends the same Idempotency-Key: work done before the answer was lost is not done again', async () => {
    // 1st job: 503, incident. 2nd job (the retry): the department does the work, the answer is
    // lost, incident. 3rd job: the department knows the key and answers what it did.
    stub.script = ['fail', 'work-then-drop'];
    const v = await started(
      {
        url: `${stub.origin}/register`,
        body: '= {id: idNumber}',
        retries: 1,
        result: '= {receipt: response.receipt}',
      },
      { idNumber: '440402199001011234' },
    );
    const r = runner();
    for (let retry = 0; retry < 2; retry++) {
      await r.drain();
      expect((await engine.instance(v.id)).status).toBe('incident');
      await engine.resolveIncident(v.id);
    }
    await r.drain();
    expect(stub.calls).toHaveLength(3);
    expect(new Set(stub.calls.map((c) => c.key)).size).toBe(1);
    expect(stub.effects).toHaveLength(1);
    const after = await engine.instance(v.id);
    expect(after.status).toBe('active');
    expect(after.variables).toMatchObject({ receipt: 'R-1' });
    expect(after.openTasks.map((t) => t.elementId)).toEqual(['review']);
  });

  it('an incident retried with changed variables sends a new Idempotency-Key; one retried as it was keeps its key', async () => {
    // 1st call: 503. 2nd (retried as it was): the work is done with the wrong ID number, the answer
    // lost. 3rd (the operator corrected the number): a new request, which the department must do.
    stub.script = ['fail', 'work-then-drop'];
    const v = await started(
      {
        url: `${stub.origin}/register`,
        body: '= {id: idNumber}',
        retries: 1,
        result: '= {receipt: response.receipt, registered: response.echo.id}',
      },
      { idNumber: '440402199001011234' },
    );
    const r = runner();
    await r.drain();
    await engine.resolveIncident(v.id);
    await r.drain();
    expect((await engine.instance(v.id)).status).toBe('incident');
    await engine.resolveIncident(v.id, { variables: { idNumber: '440402199001015678' } });
    await r.drain();
    const [first, retried, corrected] = stub.calls.map((c) => c.key);
    expect(stub.calls).toHaveLength(3);
    expect(retried).toBe(first);
    expect(corrected).not.toBe(retried);
    expect(stub.effects.map((e) => e.body)).toEqual([
      { id: '440402199001011234' },
      { id: '440402199001015678' },
    ]);
    expect((await engine.instance(v.id)).variables).toMatchObject({
      receipt: 'R-2',
      registered: '440402199001015678',
    });
  });

  it('a process that loops back through the task is new work: a new Idempotency-Key', async () => {
    await engine.deploy(
      model(
        'taxcheck',
        `${startEvent('start')}
        <bpmn:serviceTask id="askTax" ${attrs({ 'gov:url': `${stub.origin}/tax`, 'gov:body': '= {n: 1}' })}/>
        ${userTask('review')}
        <bpmn:exclusiveGateway id="again" default="done"/>
        ${endEvent('end')}
        ${chain('start', 'askTax', 'review', 'again')}
        ${flow('again', 'askTax', '= redo')}
        ${flow('again', 'end', undefined, 'done')}`,
      ),
    );
    const v = await engine.start('taxcheck', { variables: { redo: false } });
    const r = runner();
    for (const redo of [true, false]) {
      await r.drain();
      const [review] = await engine.tasks({ instanceId: v.id, state: 'open' });
      await engine.completeTask(review!.id, { variables: { redo } });
    }
    expect((await engine.instance(v.id)).status).toBe('completed');
    expect(stub.calls).toHaveLength(2);
    expect(new Set(stub.calls.map((c) => c.key)).size).toBe(2);
    expect(stub.effects).toHaveLength(2);
  });

  it('each instance of a multi-instance task keeps its own key; a retried one keeps it while the others complete', async () => {
    stub.byBody = (body) => ((body as { item?: string })?.item === 'a' ? 'work-then-drop' : undefined);
    await engine.deploy(
      model(
        'taxcheck',
        `${startEvent('start')}
        <bpmn:serviceTask id="askTax" ${attrs({ 'gov:url': `${stub.origin}/tax`, 'gov:body': '= {item: item}', 'gov:retries': 1 })}>
          <bpmn:multiInstanceLoopCharacteristics gov:collection="= items" gov:elementVariable="item"/>
        </bpmn:serviceTask>
        ${userTask('review')}
        ${endEvent('end')}
        ${chain('start', 'askTax', 'review', 'end')}`,
      ),
    );
    const v = await engine.start('taxcheck', { variables: { items: ['a', 'b', 'c'] } });
    const r = runner();
    await r.drain();
    expect((await engine.instance(v.id)).status).toBe('incident');
    await engine.resolveIncident(v.id);
    await r.drain();
    const keysOf = (item: string) =>
      new Set(stub.calls.filter((c) => JSON.parse(c.body).item === item).map((c) => c.key));
    expect(keysOf('a').size).toBe(1);
    expect(new Set([...keysOf('a'), ...keysOf('b'), ...keysOf('c')]).size).toBe(3);
    expect(stub.calls).toHaveLength(4);
    expect(stub.effects).toHaveLength(3);
    expect((await engine.instance(v.id)).openTasks.map((t) => t.elementId)).toEqual(['review']);
  });

  it('a refusal quoting the request is in the incident without the personal data we sent', async () => {
    stub.then = 'reject-echo';
    const v = await started(
      { url: '= base + "/persons/" + idNumber', body: '= {name: name, id: idNumber}', retries: 3 },
      { base: stub.origin, idNumber: '440402199001011234', name: '张三' },
    );
    await runner().drain();
    const { incident } = await engine.instance(v.id);
    expect(incident!.message).toMatch(/answered 422.*retrying cannot help.*unknown applicant/);
    expect(incident!.message).not.toContain('440402199001011234');
    expect(incident!.message).not.toContain('张三');
  });
});

describe('connector failure messages show no personal data', () => {
  const stub = new DepartmentStub();
  beforeAll(() => stub.listen());
  afterAll(() => stub.close());
  const variables = { idNumber: '440402199003071232', name: '张三', phone: '13800138000' };
  const spec = (s: Partial<ConnectorSpec>): ConnectorSpec => ({
    url: constant(`${stub.origin}/x`),
    method: 'POST',
    headers: null,
    body: null,
    result: null,
    timeoutMs: 2000,
    errorCode: null,
    ...s,
  });

  it.each<[string, (origin: string) => Partial<ConnectorSpec>, RegExp]>([
    [
      'a FEEL-built URL that is not absolute',
      () => ({ url: compile('= "dept.example.gov/persons/" + idNumber') }),
      /^gov:url "= "dept\.example\.gov\/persons\/" \+ idNumber": the URL it gave \(a string of 43 characters\) is not an absolute URL$/,
    ],
    [
      'a FEEL-built URL that is no string',
      () => ({ url: compile('= {id: idNumber}') }),
      /gave a context, not a URL/,
    ],
    [
      'a header value a header cannot carry',
      () => ({ headers: compile('= {"X-Holder": name}') }),
      /^gov:headers: X-Holder holds characters a header cannot carry/,
    ],
    [
      'gov:headers that give no context',
      () => ({ headers: compile('= idNumber') }),
      /got a string of 18 characters$/,
    ],
    [
      'gov:result that gives no context',
      () => ({ result: compile('= idNumber') }),
      /got a string of 18 characters$/,
    ],
    [
      'a FEEL function failing on a variable',
      () => ({ body: compile('= {born: date(idNumber)}') }),
      /^gov:body "= \{born: date\(idNumber\)\}" failed: date\('…'\) is not a valid date$/,
    ],
    [
      'a refusal echoing what we sent',
      (origin) => ({
        url: compile(`= "${origin}/persons/" + idNumber`),
        headers: compile('= {"X-Holder": "Zhang San"}'),
        body: compile('= {name: name, tel: phone}'),
      }),
      /answered 422 \(the request is refused; retrying cannot help\): .*unknown applicant/,
    ],
  ])('%s', async (_case, s, expected) => {
    stub.then = _case.startsWith('a refusal') ? 'reject-echo' : 'ok';
    const failure = await callDepartment(spec(s(stub.origin)), variables, `key ${_case}`, {
      allowedOrigins: [stub.origin],
    }).then(
      () => null,
      (err: unknown) => err,
    );
    expect(failure).toBeInstanceOf(ConnectorFailure);
    const { message, permanent } = failure as ConnectorFailure;
    expect(permanent).toBe(true);
    expect(message).toMatch(expected);
    for (const value of [
      '440402199003071232',
      '张三',
      'Zhang San',
      '13800138000',
      String('张'.charCodeAt(0)),
    ])
      expect(message).not.toContain(value);
  });
});

describe('connector as an engine ServiceHandler', () => {
  it('runDueJobs calls it: the answer is mapped, a refusal is the BPMN error, failures end in an incident', async () => {
    const stub = new DepartmentStub();
    await stub.listen();
    const clock = fakeClock();
    const engine: Engine = createEngine({
      clock: clock.now,
      services: { [CONNECTOR_JOB_TYPE]: connectorService(() => engine, { allowedOrigins: [stub.origin] }) },
    });
    try {
      const boundary = `<bpmn:boundaryEvent id="refused" attachedToRef="askTax"><bpmn:errorEventDefinition errorRef="E_REFUSED"/></bpmn:boundaryEvent>
        <bpmn:userTask id="fixByHand"/><bpmn:endEvent id="handled"/>${chain('refused', 'fixByHand', 'handled')}`;
      await engine.deploy(
        connectorModel(
          {
            url: `${stub.origin}/tax`,
            result: '= {receipt: response.receipt}',
            errorCode: 'REFUSED',
            retries: 2,
          },
          boundary,
        ),
      );
      const ok = await engine.start('taxcheck');
      await engine.runDueJobs(clock.now());
      const done = await engine.instance(ok.id);
      expect(done.variables).toMatchObject({ receipt: 'R-1' });
      expect(done.openTasks.map((t) => t.elementId)).toEqual(['review']);

      stub.then = 'reject';
      const refused = await engine.start('taxcheck');
      await engine.runDueJobs(clock.now());
      const caught = await engine.instance(refused.id);
      expect(caught.openTasks.map((t) => t.elementId)).toEqual(['fixByHand']);
      expect(caught.variables['connectorError']).toMatchObject({ status: 422 });

      stub.then = 'fail';
      const failing = await engine.start('taxcheck');
      for (let i = 0; i < 5; i++) await engine.runDueJobs(clock.advance(60 * SECOND));
      const failed = await engine.instance(failing.id);
      expect(failed.status).toBe('incident');
      expect(failed.incident!.message).toMatch(/answered 503/);
      expect(stub.calls.length).toBeLessThanOrEqual(2 + 2);
    } finally {
      await stub.close();
    }
  });
});

describe('connector model validation', () => {
  const problemsOf = async (task: string) =>
    (await validate(model('p', `${startEvent('s')}${task}${endEvent('e')}${chain('s', 't', 'e')}`))).map(
      (p) => `${p.elementId} ${p.code}: ${p.message}`,
    );

  it('a well-formed connector task has no problems', async () => {
    expect(
      await problemsOf(
        '<bpmn:serviceTask id="t" gov:url="https://tax.example.gov.cn/api" gov:body="= {a: 1}" gov:result="= {b: response.c}" gov:timeout="30" gov:method="PATCH"/>',
      ),
    ).toEqual([]);
  });

  it.each([
    ['gov:url="ftp://tax.example/x"', /t connector.url: .*must use http or https, not ftp/],
    ['gov:url="/relative/path"', /t connector.url: .*not an absolute URL/],
    [
      'gov:url="https://user:secret@tax.example/"',
      /t connector.url: .*must not carry a user name or password/,
    ],
    ['gov:url="= base +"', /t feel.syntax: gov:url/],
    [
      'gov:url="https://tax.example/" gov:body="= {a: "',
      /t feel.syntax: gov:body "= \{a: " is not valid FEEL/,
    ],
    ['gov:url="https://tax.example/" gov:result="= {a: ]"', /t feel.syntax: gov:result/],
    ['gov:url="https://tax.example/" gov:headers="= {"', /t feel.syntax: gov:headers/],
    [
      'gov:url="https://tax.example/" gov:method="FETCH"',
      /t connector.method: gov:method "FETCH" must be one of/,
    ],
    [
      'gov:url="https://tax.example/" gov:method="GET" gov:body="= {a: 1}"',
      /t connector.body: .*not sent with GET/,
    ],
    [
      'gov:url="https://tax.example/" gov:timeout="0"',
      /t connector.timeout: gov:timeout must be 1 to 300 seconds, got 0/,
    ],
    ['gov:url="https://tax.example/" gov:timeout="2.5"', /t gov.attributeType: gov:timeout="2.5"/],
    ['gov:url="https://tax.example/" gov:type="tax"', /t connector.type: .*remove gov:type/],
    [
      'gov:body="= {a: 1}"',
      /t connector.noUrl: gov:body only apply to a connector task, which needs gov:url/,
    ],
  ])('%s is a problem naming the task', async (attributes, expected) => {
    const problems = await problemsOf(`<bpmn:serviceTask id="t" ${attributes}/>`);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(expected);
  });

  it('the allow-list accepts origins and names a bad entry', () => {
    expect(parseAllowedOrigins(' https://tax.example.gov.cn , http://127.0.0.1:8081,')).toEqual([
      'https://tax.example.gov.cn',
      'http://127.0.0.1:8081',
    ]);
    expect(parseAllowedOrigins(undefined)).toEqual([]);
    expect(() => parseAllowedOrigins('https://tax.example/api')).toThrow(
      /ONETHING_CONNECTOR_ORIGINS: .*without a path/,
    );
    expect(() => parseAllowedOrigins('tax.example')).toThrow(
      /ONETHING_CONNECTOR_ORIGINS: .*not an absolute URL/,
    );
  });
});

afterAll(() => sqlite.cleanup());

describe('requestIdempotencyKey', () => {
  const visit = 'inst-1:visitdigest';
  it('is the same for the same request whatever the order of its members, another for another request', () => {
    const key = requestIdempotencyKey(visit, 'POST', 'https://tax.example/x', { a: 1, b: [1, 2] });
    expect(key).toMatch(/^inst-1:visitdigest\.[0-9a-f]{16}$/);
    expect(requestIdempotencyKey(visit, 'POST', 'https://tax.example/x', { b: [1, 2], a: 1 })).toBe(key);
    for (const other of [
      requestIdempotencyKey(visit, 'POST', 'https://tax.example/x', { a: 2, b: [1, 2] }),
      requestIdempotencyKey(visit, 'POST', 'https://tax.example/y', { a: 1, b: [1, 2] }),
      requestIdempotencyKey(visit, 'PUT', 'https://tax.example/x', { a: 1, b: [1, 2] }),
      requestIdempotencyKey('inst-1:other', 'POST', 'https://tax.example/x', { a: 1, b: [1, 2] }),
    ])
      expect(other).not.toBe(key);
  });
});
