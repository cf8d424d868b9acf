/** Every error is application/problem+json, zh first, en on request, naming fields. */
import { DomainError } from '../../engine/src/domain/errors.js';
import { CommandError, ValidationError } from '../../engine/src/index.js';
import { expectProblem, startServer, stubCentre, type TestServer } from './support.js';

let s: TestServer;
beforeAll(async () => {
  s = await startServer({
    centre: stubCentre({
      async createApplication() {
        throw new DomainError('invalid', { zh: '表单有误', en: 'the form has errors' }, [
          {
            field: 'data.residentId',
            label: { zh: '身份证号', en: 'Resident ID' },
            message: { zh: '校验位不正确', en: 'wrong check digit' },
          },
        ]);
      },
      async deployBundle() {
        throw new ValidationError([
          {
            elementId: 'Task_1',
            elementType: 'bpmn:UserTask',
            code: 'noDepartment',
            message: 'has no gov:department',
          },
        ]);
      },
      async getBundle(_actor, code) {
        if (code === 'boom')
          throw new Error('SQLITE_CORRUPT at /var/lib/onething/data.db for 440305199001011234');
        throw new CommandError('notFound', `process "${code}" is not deployed`);
      },
      async retireBundle() {
        throw new CommandError('instanceEnded', 'instance x has already ended (completed)');
      },
      async submit() {
        throw new DomainError('stateInvalid', {
          zh: '办件已受理，不能再提交',
          en: 'the application was accepted already',
        });
      },
      async listBundles() {
        return [];
      },
      async issueNotice(_actor, id) {
        return { id } as never;
      },
      async getApplication(_actor, id) {
        return { id, status: 'awaiting-supplement', note: '一次性告知' } as never;
      },
    }),
  });
});
afterAll(() => s.close());

describe('problem+json', () => {
  it('unknown route → 404, known path with another method → 405 with Allow', async () => {
    expectProblem(await s.call('GET', '/api/nothing-here', { as: 'clerk1' }), 404);
    expectProblem(await s.call('GET', '/nowhere'), 404);
    const res = await s.call('DELETE', '/api/bundles', { as: 'analyst1' });
    expectProblem(res, 405);
    expect(res.headers.get('allow')).toBe('GET, POST, HEAD');
  });

  it('Chinese by default, English when preferred', async () => {
    const zh = expectProblem(await s.call('GET', '/api/nothing'), 404);
    expect(zh.title).toBe('资源不存在');
    const res = await s.call('GET', '/api/nothing', {
      headers: { 'accept-language': 'en-US,en;q=0.9,zh;q=0.5' },
    });
    expect(expectProblem(res, 404).title).toBe('Not found');
    expect(res.headers.get('content-language')).toBe('en');
    const zhPreferred = await s.call('GET', '/api/nothing', {
      headers: { 'accept-language': 'zh-CN,zh;q=0.9,en;q=0.8' },
    });
    expect(zhPreferred.body.title).toBe('资源不存在');
  });

  it('invalid JSON → 400 naming the body', async () => {
    const p = expectProblem(
      await s.call('POST', '/api/applications', {
        as: 'clerk1',
        raw: '{"bundleCode": ',
        headers: { 'content-type': 'application/json' },
      }),
      400,
    );
    expect(p.type).toBe('urn:onething:problem:invalid-json');
    expect(p.errors[0].field).toBe('body');
  });

  it('a body that is not JSON → 415', async () => {
    expectProblem(
      await s.call('POST', '/api/applications', {
        as: 'clerk1',
        raw: 'bundleCode=x',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      }),
      415,
    );
  });

  it('over 1 MB → 413; bundle deploy takes up to 5 MB', async () => {
    const big = {
      bundleCode: 'x',
      applicant: { kind: 'person', name: 'x', idNumber: 'x' },
      data: { blob: 'x'.repeat(1_100_000) },
    };
    expectProblem(await s.call('POST', '/api/applications', { as: 'clerk1', body: big }), 413);
    // 2 MB reaches the domain (which answers with its own problem), 6 MB does not.
    const twoMb = await s.call('POST', '/api/bundles', {
      as: 'analyst1',
      body: { bundle: {}, xml: 'x'.repeat(2_000_000) },
    });
    expect(expectProblem(twoMb, 422).errors[0].field).toBe('bpmn:Task_1');
    expectProblem(
      await s.call('POST', '/api/bundles', {
        as: 'analyst1',
        body: { bundle: {}, xml: 'x'.repeat(6_000_000) },
      }),
      413,
    );
  });

  it('a body nested deeper than 64 levels → 400 naming its field, before anything reads it; 64 levels pass', async () => {
    const nested = (levels: number) =>
      `{"bundleCode":"x","applicant":{"kind":"person","name":"x","idNumber":"x"},"data":{"blob":${'['.repeat(levels - 2)}${']'.repeat(levels - 2)}}}`;
    const json = { 'content-type': 'application/json' };
    for (const levels of [65, 5_000, 100_000]) {
      const p = expectProblem(
        await s.call('POST', '/api/applications', { as: 'clerk1', raw: nested(levels), headers: json }),
        400,
      );
      expect(p.errors).toEqual([
        { field: 'data.blob', message: { zh: '嵌套超过 64 层', en: 'is nested more than 64 levels deep' } },
      ]);
    }
    // 64 levels (the body, data and 62 arrays in blob) reach the domain, which answers with its own problem.
    const deepest = await s.call('POST', '/api/applications', {
      as: 'clerk1',
      raw: nested(64),
      headers: json,
    });
    expect(expectProblem(deepest, 422).errors[0].field).toBe('data.residentId');
  });

  it('schema violations → 422 naming each field', async () => {
    const p = expectProblem(
      await s.call('POST', '/api/applications', {
        as: 'clerk1',
        body: { bundleCode: '', applicant: { kind: 'alien', name: 'x' }, extra: 1 },
        headers: { 'accept-language': 'en' },
      }),
      422,
    );
    const fields = p.errors.map((e: { field: string }) => e.field).sort();
    expect(fields).toEqual([
      'body.applicant.idNumber',
      'body.applicant.kind',
      'body.bundleCode',
      'body.extra',
    ]);
    expect(p.errors.find((e: { field: string }) => e.field === 'body.applicant.kind').message.zh).toMatch(
      /person/,
    );
  });

  it('bad query or path parameters → 400 naming them', async () => {
    const p = expectProblem(
      await s.call('GET', '/api/applications?limit=abc&colour=red', { as: 'clerk1' }),
      400,
    );
    expect(p.errors.map((e: { field: string }) => e.field).sort()).toEqual(['query.colour', 'query.limit']);
    const q = expectProblem(await s.call('GET', '/api/bundles/NOT_A_CODE', { as: 'clerk1' }), 400);
    expect(q.errors[0].field).toBe('params.code');
  });

  it('DomainError keeps its status, texts and field errors', async () => {
    const body = {
      bundleCode: 'newborn',
      applicant: { kind: 'person', name: '张三', idNumber: '440305199001011234' },
    };
    const p = expectProblem(await s.call('POST', '/api/applications', { as: 'clerk1', body }), 422);
    expect(p.detail).toBe('表单有误');
    expect(p.en.detail).toBe('the form has errors');
    expect(p.errors).toEqual([
      {
        field: 'data.residentId',
        label: { zh: '身份证号', en: 'Resident ID' },
        message: { zh: '校验位不正确', en: 'wrong check digit' },
      },
    ]);
    expect(
      expectProblem(await s.call('POST', '/api/applications/a1/submit', { as: 'clerk1' }), 409).type,
    ).toBe('urn:onething:problem:state-invalid');
  });

  it('engine errors: ValidationError → 422 by element, CommandError → 404 / 409', async () => {
    const v = expectProblem(
      await s.call('POST', '/api/bundles', { as: 'analyst1', body: { bundle: {}, xml: '<x/>' } }),
      422,
    );
    expect(v.errors[0]).toMatchObject({ field: 'bpmn:Task_1' });
    expectProblem(await s.call('GET', '/api/bundles/ghost', { as: 'clerk1' }), 404);
    expectProblem(await s.call('POST', '/api/bundles/ghost/retire', { as: 'analyst1' }), 409);
  });

  it('anything unexpected → 500 without internals, logged with personal numbers masked', async () => {
    const res = await s.call('GET', '/api/bundles/boom', { as: 'clerk1' });
    const p = expectProblem(res, 500);
    expect(res.text).not.toMatch(/SQLITE|var\/lib|440305199001011234|stack/);
    expect(p.requestId).toEqual(expect.any(String));
    const line = s.logs.find((l) => l.includes('unexpected error'));
    expect(line).toBeDefined();
    expect(line).toContain('SQLITE_CORRUPT');
    expect(line).not.toContain('440305199001011234');
    expect(line).toContain('440305********1234');
  });

  it('logs never carry the bearer token', async () => {
    const token = await s.token('clerk1');
    await s.call('GET', '/api/bundles', { as: 'clerk1' });
    expect(s.logs.join('\n')).not.toContain(token);
  });

  it('one line per request: id, method, masked URL, client, status, time; warn for 4xx, error for 5xx', async () => {
    const line = (id: string) =>
      s.logs.map((l) => JSON.parse(l)).find((l) => l.req?.id === id && l.msg?.startsWith('request '));
    await s.call('GET', '/api/bundles', { as: 'clerk1', headers: { 'x-request-id': 'line-0' } });
    expect(line('line-0')).toMatchObject({ level: 30, msg: 'request completed', res: { statusCode: 200 } });
    await s.call('GET', '/api/bundles?holder=440305199001011234', {
      as: 'clerk1',
      headers: { 'x-request-id': 'line-1' },
    });
    await s.call('GET', '/api/bundles/boom', { as: 'clerk1', headers: { 'x-request-id': 'line-2' } });
    await s.call('GET', '/api/bundles/nope', { as: 'clerk1', headers: { 'x-request-id': 'line-3' } });
    const ok = line('line-1');
    expect(ok).toMatchObject({
      level: 40,
      service: 'onething',
      msg: 'request completed',
      req: { id: 'line-1', method: 'GET', url: '/api/bundles?holder=440305********1234' },
      res: { statusCode: 400 },
    });
    expect(typeof ok.responseTime).toBe('number');
    expect(line('line-2')).toMatchObject({
      level: 50,
      msg: 'request errored',
      res: { statusCode: 500 },
      err: { message: 'failed with status code 500' },
    });
    expect(line('line-3')).toMatchObject({ level: 40, msg: 'request completed', res: { statusCode: 404 } });
  });
});

describe('JSON answers', () => {
  it('a command answers UTF-8 JSON with its length and no ETag; a read keeps its ETag', async () => {
    const res = await s.call('POST', '/api/applications/a1/notice', { as: 'clerk1', body: {} });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ id: 'a1', status: 'awaiting-supplement', note: '一次性告知' });
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(res.headers.get('content-length')).toBe(String(Buffer.byteLength(res.text)));
    expect(res.headers.get('etag')).toBeNull();
    const read = await s.call('GET', '/api/bundles', { as: 'clerk1' });
    expect(read.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(read.headers.get('etag')).toBeTruthy();
  });
});
