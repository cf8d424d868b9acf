/** The CLI, spawned as a user would run it (bin/onething.js through tsx). */
import { jest } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execPath } from 'node:process';
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
} from './testing/bpmn.js';

const BIN = resolve('bin/onething.js');
// Each test spawns the CLI a few times (tsx start-up included); allow for a loaded CI machine.
jest.setTimeout(120_000);
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'onething-cli-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function file(name: string, xml: string): string {
  const path = join(dir, name);
  writeFileSync(path, xml);
  return path;
}

interface Result {
  code: number | null;
  lines: Record<string, unknown>[];
  stdout: string;
  stderr: string;
}

function cli(...args: string[]): Result {
  const r = spawnSync(execPath, [BIN, ...args], { encoding: 'utf8', timeout: 60_000 });
  if (r.error) throw r.error;
  const lines = r.stdout
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { code: r.status, lines, stdout: r.stdout, stderr: r.stderr };
}

const last = (r: Result): Record<string, unknown> => r.lines[r.lines.length - 1]!;

const everything = model(
  'bundle',
  `
  ${startEvent('start')}
  ${userTask('accept', { department: 'window' })}
  <bpmn:exclusiveGateway id="route" default="route_normal"/>
  ${userTask('special')}
  <bpmn:serviceTask id="register" gov:type="registry.write"/>
  <bpmn:intermediateCatchEvent id="coolOff">${timer('timeDuration', 'P3D')}</bpmn:intermediateCatchEvent>
  <bpmn:parallelGateway id="fork"/><bpmn:parallelGateway id="join"/>
  ${userTask('police')}${userTask('tax')}
  ${endEvent('end')}
  ${chain('start', 'accept', 'route')}
  ${flow('route', 'special', '= urgent = true')}
  ${flow('route', 'register', undefined, 'route_normal')}
  ${chain('special', 'register')}
  ${chain('register', 'coolOff', 'fork')}
  ${chain('fork', 'police', 'join')}${chain('fork', 'tax', 'join')}
  ${chain('join', 'end')}`,
);

const broken = model(
  'bad',
  `
  ${startEvent('start')}<bpmn:complexGateway id="cg"/>${endEvent('end')}
  ${chain('start', 'cg', 'end')}
  <bpmn:sequenceFlow id="lost" sourceRef="start" targetRef="ghost"/>`,
);

describe('onething validate', () => {
  it('valid file: exit 0, nothing on stdout', () => {
    const r = cli('validate', file('ok.bpmn', everything));
    expect(r.code).toBe(0);
    expect(r.lines).toEqual([]);
    expect(r.stderr).toMatch(/1 valid/);
  });

  it('invalid file among valid ones: exit 1, one JSON line per problem, each naming its file', () => {
    const ok = file('ok2.bpmn', everything);
    const bad = file('bad.bpmn', broken);
    const r = cli('validate', ok, bad);
    expect(r.code).toBe(1);
    expect(r.lines.length).toBeGreaterThanOrEqual(2);
    for (const l of r.lines) {
      expect(l).toEqual(
        expect.objectContaining({
          file: bad,
          elementId: expect.any(String),
          elementType: expect.any(String),
          code: expect.any(String),
          message: expect.any(String),
        }),
      );
    }
    expect(r.lines.map((l) => l['elementId'])).toEqual(expect.arrayContaining(['cg', 'lost']));
  });

  it('unreadable file, malformed XML and a DOCTYPE are problems, never a crash', () => {
    const r = cli(
      'validate',
      join(dir, 'missing.bpmn'),
      file('malformed.bpmn', '<bpmn:definitions xmlns:bpmn="x"><oops'),
      file('doctype.bpmn', '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>'),
    );
    expect(r.code).toBe(1);
    const files = new Set(r.lines.map((l) => l['file']));
    expect(files.size).toBe(3);
    expect(r.lines.find((l) => String(l['file']).endsWith('missing.bpmn'))!['code']).toBe('file.unreadable');
    expect(r.lines.every((l) => l['code'] !== 'engine.crash')).toBe(true);
  });

  it('no file: usage on stderr, non-zero exit', () => {
    const r = cli('validate');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/usage/);
  });
});

describe('onething run --complete-all', () => {
  it('completes tasks and jobs, fires timers on a fake clock, prints the path and status', () => {
    const r = cli('run', file('run.bpmn', everything), '--complete-all');
    expect(r.code).toBe(0);
    const out = last(r);
    expect(out['status']).toBe('completed');
    expect(out['processId']).toBe('bundle');
    const path = out['path'] as string[];
    expect(path.slice(0, 5)).toEqual(['start', 'accept', 'route', 'register', 'coolOff']);
    expect(path.slice(-2)).toEqual(['join', 'end']);
    expect([...path.slice(6, 8)].sort()).toEqual(['police', 'tax']);
    expect(out['tasksCompleted']).toBe(3);
    expect(out['jobsCompleted']).toBe(1);
    expect(out['timersFired']).toBe(1);
    expect(out['fakeMsElapsed']).toBeGreaterThanOrEqual(3 * 24 * 3600 * 1000);
  });

  it('--variables steer the run', () => {
    const r = cli('run', file('run2.bpmn', everything), '--complete-all', '--variables', '{"urgent": true}');
    expect(r.code).toBe(0);
    expect(last(r)['path']).toEqual(expect.arrayContaining(['special']));
  });

  it('an invalid model: problems per element, status invalid, exit 1', () => {
    const r = cli('run', file('bad-run.bpmn', broken), '--complete-all');
    expect(r.code).toBe(1);
    expect(last(r)['status']).toBe('invalid');
    expect(r.lines.slice(0, -1).map((l) => l['elementId'])).toEqual(expect.arrayContaining(['cg', 'lost']));
  });

  it('waiting for a message: stops, reports the waiting element, exit 2 (no hang)', () => {
    const xml = definitions(
      process(
        'p',
        `
        ${startEvent('start')}
        <bpmn:intermediateCatchEvent id="waitPaid"><bpmn:messageEventDefinition messageRef="M"/></bpmn:intermediateCatchEvent>
        ${endEvent('end')}
        ${chain('start', 'waitPaid', 'end')}`,
      ),
      message('M', 'paid'),
    );
    const r = cli('run', file('wait.bpmn', xml), '--complete-all');
    expect(r.code).toBe(2);
    const out = last(r);
    expect(out['status']).toBe('active');
    expect(out['path']).toEqual(['start']);
    expect((out['waiting'] as { elementId: string }[]).map((w) => w.elementId)).toEqual(['waitPaid']);
  });

  it('an incident at run time is reported naming the element, exit 2', () => {
    const xml = model(
      'p',
      `
      ${startEvent('start')}<bpmn:exclusiveGateway id="gw"/>${endEvent('a')}${endEvent('b')}
      ${chain('start', 'gw')}${flow('gw', 'a', '= x = 1')}${flow('gw', 'b', '= x = 2')}`,
    );
    const r = cli('run', file('incident.bpmn', xml), '--complete-all');
    expect(r.code).toBe(2);
    expect(last(r)['status']).toBe('incident');
    expect(last(r)['incident']).toEqual(expect.objectContaining({ elementId: 'gw' }));
  });

  it('an endless loop of user tasks is bounded by --max-steps', () => {
    const xml = model(
      'p',
      `
      ${startEvent('start')}${userTask('again')}<bpmn:exclusiveGateway id="more" default="more_end"/>${endEvent('end')}
      ${chain('start', 'again', 'more')}${flow('more', 'again', '= true')}${flow('more', 'end', undefined, 'more_end')}`,
    );
    const r = cli('run', file('loop.bpmn', xml), '--complete-all', '--max-steps', '25');
    expect(r.code).toBe(2);
    const out = last(r);
    expect(out['status']).toBe('active');
    expect(out['stopped']).toMatch(/step limit/);
    expect(out['tasksCompleted']).toBe(25);
  });

  it('--process picks the process; a call activity child is driven too and the top level is picked by default', () => {
    const xml = definitions(
      process(
        'child',
        `${startEvent('cs')}${userTask('childTask')}${endEvent('ce')}${chain('cs', 'childTask', 'ce')}`,
      ) +
        process(
          'parent',
          `${startEvent('ps')}<bpmn:callActivity id="call" calledElement="child"/>${endEvent('pe')}
          ${chain('ps', 'call', 'pe')}`,
        ),
    );
    const f = file('call.bpmn', xml);
    const byDefault = cli('run', f, '--complete-all');
    expect(byDefault.code).toBe(0);
    expect(last(byDefault)['processId']).toBe('parent');
    expect(last(byDefault)['path']).toEqual(['ps', 'call', 'pe']);
    expect(last(byDefault)['children']).toEqual([
      expect.objectContaining({ processId: 'child', status: 'completed', path: ['cs', 'childTask', 'ce'] }),
    ]);
    const child = cli('run', f, '--complete-all', '--process', 'child');
    expect(last(child)['processId']).toBe('child');
    expect(last(child)['path']).toEqual(['cs', 'childTask', 'ce']);
    const unknown = cli('run', f, '--process', 'nope');
    expect(unknown.code).toBe(2);
    expect(last(unknown)['status']).toBe('not-started');
  });

  it('non-interrupting cycle timer on a task: no hang, the task gets completed', () => {
    const xml = model(
      'p',
      `
      ${startEvent('start')}${userTask('t')}
      <bpmn:boundaryEvent id="nag" attachedToRef="t" cancelActivity="false">${timer('timeCycle', 'R/PT1M')}</bpmn:boundaryEvent>
      ${endEvent('end')}${endEvent('nagged')}
      ${chain('start', 't', 'end')}${chain('nag', 'nagged')}`,
    );
    const r = cli('run', file('cycle.bpmn', xml), '--complete-all');
    expect(r.code).toBe(0);
    expect(last(r)['path']).toEqual(['start', 't', 'end']);
  });

  it('a process that only starts by message or by timer is started that way', () => {
    const byMessage = definitions(
      process(
        'm',
        `<bpmn:startEvent id="got"><bpmn:messageEventDefinition messageRef="M"/></bpmn:startEvent>${userTask('t')}${endEvent('e')}
        ${chain('got', 't', 'e')}`,
      ),
      message('M', 'application.received'),
    );
    const m = cli('run', file('msgstart.bpmn', byMessage), '--complete-all');
    expect(m.code).toBe(0);
    expect(last(m)).toEqual(
      expect.objectContaining({
        startedBy: 'message:application.received',
        status: 'completed',
        path: ['got', 't', 'e'],
      }),
    );

    const byTimer = model(
      't',
      `<bpmn:startEvent id="tick">${timer('timeDate', '2027-03-01T08:00:00Z')}</bpmn:startEvent>${endEvent('e')}
      ${chain('tick', 'e')}`,
    );
    const t = cli('run', file('timerstart.bpmn', byTimer), '--complete-all');
    expect(t.code).toBe(0);
    expect(last(t)).toEqual(
      expect.objectContaining({ startedBy: 'timer', status: 'completed', path: ['tick', 'e'] }),
    );
    expect(last(t)['timersFired']).toBe(1);
  });

  it('without --complete-all it only starts the instance and reports where it waits', () => {
    const r = cli('run', file('nostep.bpmn', everything), '--business-key', 'BK-1');
    expect(r.code).toBe(2);
    expect(last(r)).toEqual(
      expect.objectContaining({ status: 'active', path: ['start'], tasksCompleted: 0 }),
    );
    expect((last(r)['waiting'] as { elementId: string }[]).map((w) => w.elementId)).toEqual(['accept']);
  });

  it('bad options are usage errors, not crashes', () => {
    expect(cli('run').code).toBe(64);
    expect(cli('run', 'a.bpmn', 'b.bpmn').code).toBe(64);
    expect(cli('run', 'a.bpmn', '--variables', '[1]').code).toBe(64);
    expect(cli('run', 'a.bpmn', '--max-steps', '0').code).toBe(64);
    expect(cli('frobnicate').code).toBe(64);
  });

  it('a process that loops without waiting ends in an incident; the printed path is capped', () => {
    const xml = model(
      'p',
      `${startEvent('s')}<bpmn:exclusiveGateway id="gw" default="toEnd"/><bpmn:intermediateThrowEvent id="spin"/>${endEvent('e')}
      ${chain('s', 'gw')}${flow('gw', 'spin', '= true')}${chain('spin', 'gw')}${flow('gw', 'e', undefined, 'toEnd')}`,
    );
    const r = cli('run', file('spin.bpmn', xml), '--complete-all');
    expect(r.code).toBe(2);
    const out = last(r);
    expect(out['status']).toBe('incident');
    expect((out['incident'] as { elementId: string }).elementId).toMatch(/^(gw|spin)$/);
    expect((out['path'] as string[]).length).toBeLessThanOrEqual(500);
  });

  it('files validated or run together may call each other (validate <files>..., run --deploy)', () => {
    const childFile = file(
      'child-only.bpmn',
      definitions(
        process('kid', `${startEvent('ks')}${userTask('kt')}${endEvent('ke')}${chain('ks', 'kt', 'ke')}`),
      ),
    );
    const parentFile = file(
      'parent-only.bpmn',
      definitions(
        process(
          'mom',
          `${startEvent('ms')}<bpmn:callActivity id="callKid" calledElement="kid"/>${endEvent('me')}
        ${chain('ms', 'callKid', 'me')}`,
        ),
      ),
    );
    const alone = cli('validate', parentFile);
    expect(alone.code).toBe(1);
    expect(alone.lines.map((l) => l['elementId'])).toEqual(['callKid']);
    expect(cli('validate', parentFile, childFile).code).toBe(0);
    // a non-executable process is not something a call activity can start
    const sketch = file('sketch.bpmn', `${definitions('<bpmn:process id="kid" isExecutable="false"/>')}`);
    expect(cli('validate', parentFile, sketch).code).toBe(1);

    const run = cli('run', parentFile, '--deploy', childFile, '--complete-all');
    expect(run.code).toBe(0);
    expect(last(run)).toEqual(
      expect.objectContaining({ processId: 'mom', status: 'completed', path: ['ms', 'callKid', 'me'] }),
    );
    const missing = cli('run', parentFile, '--deploy', join(dir, 'nope.bpmn'));
    expect(missing.code).toBe(1);
    expect(missing.lines[0]).toEqual(expect.objectContaining({ code: 'file.unreadable' }));
  });
});
