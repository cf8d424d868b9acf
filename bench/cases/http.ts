/**
 * HTTP under load: the real server process (engine/src/server.ts on SQLite, the example bundles
 * deployed on start) driven by autocannon with 50 connections. Two operations:
 * - application start: POST /api/applications (a clerk starts a business-startup application with
 *   the sample's situation answers and form data);
 * - task completion: POST /api/tasks/:id/approve by the task's department, each request a
 *   different open task (prepared through the API before the round, untimed: created, submitted,
 *   accepted at the window and the first item approved, which opens the six parallel items).
 * Every response must be a 2xx, or the case fails.
 */
import autocannon from 'autocannon';
import { approvalOf } from '../../engine/src/testing/item-outputs.js';
import { samples } from '../../forms/src/testing/samples.js';
import type { CaseDef, Side, Work } from '../lib/harness.js';
import { inParallel, startServer, type RunningServer } from '../lib/server.js';

const CONNECTIONS = 50;
const BUNDLE = 'business-startup';
const CLERK = 'clerk1';

interface Item {
  item: string;
  status: string;
  department: string;
  taskId?: string;
}
interface Application {
  id: string;
  status: string;
  items: Item[];
  materials: { id: string; required: boolean; status: string }[];
}

function applicationBody(): string {
  const { situation, ...data } = structuredClone(samples[BUNDLE]!) as Record<string, unknown>;
  return JSON.stringify({
    bundleCode: BUNDLE,
    answers: situation,
    data,
    applicant: { kind: 'person', name: '张三', idNumber: '440402199003071232', phone: '13800138000' },
  });
}

/** The demo department user of a department (demo-users.json: `<department>1`). */
const departmentUser = (department: string) => `${department}1`;

function checked({ result, seconds }: Loaded, count: number, what: string): Work {
  const ok = result['2xx'];
  if (ok !== count || result.errors > 0) {
    throw new Error(
      `${what}: ${ok} of ${count} answered 2xx (status counts ${JSON.stringify(result.statusCodeStats ?? {})}, ` +
        `${result.errors} connection errors)`,
    );
  }
  return { ops: count, seconds, latency: { p50: result.latency.p50, p99: result.latency.p99 } };
}

interface Loaded {
  result: autocannon.Result;
  /** From the first request to the last response: autocannon itself ends on a 1-second tick. */
  seconds: number;
}

function load(options: autocannon.Options): Promise<Loaded> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let last = started;
    const instance = autocannon(options, (err, result) =>
      err ? reject(err) : resolve({ result, seconds: (last - started) / 1000 }),
    );
    instance.on('response', () => (last = performance.now()));
  });
}

/** Open department tasks, `count` at least: business-startup applications taken to their six parallel items. */
async function openTasks(
  server: RunningServer,
  count: number,
): Promise<{ id: string; department: string }[]> {
  const clerk = await server.token(CLERK);
  const body = JSON.parse(applicationBody()) as unknown;
  const perApplication: { id: string; department: string }[][] = [];
  const applications = Array.from({ length: Math.ceil(count / 6) }, (_, i) => i);
  await inParallel(applications, 8, async () => {
    const created = await server.call<Application>(clerk, 'POST', '/api/applications', body);
    const submitted = await server.call<Application>(clerk, 'POST', `/api/applications/${created.id}/submit`);
    const materials = submitted.materials
      .filter((m) => m.required && m.status === 'missing')
      .map((m) => ({ id: m.id, status: 'provided' }));
    let app = await server.call<Application>(clerk, 'POST', `/api/applications/${created.id}/accept`, {
      materials,
    });
    // The first item (enterprise registration) opens the others: approve what is open until more than one is.
    for (let round = 0; round < 5; round++) {
      const open = app.items.filter((i) => i.status === 'reviewing' && i.taskId);
      if (open.length > 1) {
        perApplication.push(open.map((i) => ({ id: `${app.id}:${i.item}`, department: i.department })));
        return;
      }
      for (const i of open) {
        const token = await server.token(departmentUser(i.department));
        await server.call(
          token,
          'POST',
          `/api/tasks/${encodeURIComponent(`${app.id}:${i.item}`)}/approve`,
          approvalOf(i.item),
        );
      }
      app = await server.call<Application>(clerk, 'GET', `/api/applications/${app.id}`);
    }
    throw new Error(`application ${app.id} did not open its parallel items`);
  });
  // Round-robin over applications, so requests in flight together decide different applications.
  const tasks: { id: string; department: string }[] = [];
  const widest = Math.max(...perApplication.map((a) => a.length));
  for (let i = 0; i < widest; i++) for (const app of perApplication) if (app[i]) tasks.push(app[i]!);
  if (tasks.length < count) throw new Error(`prepared ${tasks.length} open tasks, needed ${count}`);
  return tasks.slice(0, count);
}

const TARGET = '≥ 2,000 requests/s, p99 < 25 ms';

function serverCase(
  id: string,
  title: string,
  notes: string,
  side: (server: () => RunningServer) => Omit<Side, 'label'>,
  target: string | null = TARGET,
): CaseDef {
  let server: RunningServer | undefined;
  return {
    id,
    title,
    kind: 'throughput',
    unit: 'requests/s',
    ...(target ? { target } : {}),
    notes,
    rounds: 5,
    setup: async () => {
      server = await startServer();
    },
    teardown: async () => {
      await server?.stop();
    },
    ours: {
      label: `autocannon, ${CONNECTIONS} connections, server process on SQLite`,
      ...side(() => server!),
    },
  };
}

export function httpCases(): CaseDef[] {
  const start = serverCase(
    'http-start',
    'HTTP: start an application (POST /api/applications), 50 connections',
    `Real server process (engine/src/server.ts, SQLite in a temp directory, example bundles deployed on start, request logging as shipped); ${BUNDLE} with the sample's answers and form data, clerk token; every response must be 201.`,
    (server) => ({
      count: 1000,
      warmup: 200,
      async run(count) {
        const token = await server().token(CLERK);
        const result = await load({
          url: `${server().base}/api/applications`,
          method: 'POST',
          connections: CONNECTIONS,
          amount: count,
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: applicationBody(),
        });
        return checked(result, count, 'application start');
      },
    }),
  );
  let tasks: { id: string; department: string }[] = [];
  const tokens = new Map<string, string>();
  const complete = serverCase(
    'http-complete',
    'HTTP: complete a department task (POST /api/tasks/:id/approve), 50 connections',
    `Same server; before each round (untimed) ${BUNDLE} applications are created, submitted, accepted and their first item approved through the API, opening six parallel department tasks each; each request approves a different one as its department's user (round-robin over applications); every response must be 2xx.`,
    (server) => ({
      count: 600,
      warmup: 150,
      async prepare(count) {
        tasks = await openTasks(server(), count);
        for (const t of tasks) {
          const user = departmentUser(t.department);
          if (!tokens.has(user)) tokens.set(user, await server().token(user));
        }
      },
      async run(count) {
        let next = 0;
        const result = await load({
          url: server().base,
          connections: CONNECTIONS,
          amount: count,
          requests: [
            {
              method: 'POST',
              setupRequest: (req) => {
                const task = tasks[next++ % tasks.length]!;
                return {
                  ...req,
                  path: `/api/tasks/${encodeURIComponent(task.id)}/approve`,
                  headers: {
                    authorization: `Bearer ${tokens.get(departmentUser(task.department))}`,
                    'content-type': 'application/json',
                  },
                  body: '{}',
                };
              },
            },
          ],
        });
        return checked(result, count, 'task completion');
      },
    }),
  );
  return [
    start,
    complete,
    publicRead('http-guide', GUIDE_PATH, GUIDE_NOTES),
    publicRead('http-health', '/healthz', HEALTH_NOTES),
  ];
}

/** The public guide of business-startup for the sample's situation answers: what an applicant reads before coming. */
const GUIDE_PATH = `/api/guides/${BUNDLE}?answers=${encodeURIComponent(JSON.stringify(samples[BUNDLE]!.situation))}`;
const GUIDE_NOTES =
  "Same server; the public guide (办事指南, no sign-in) of business-startup for the sample's situation answers: items, materials, limits, fees and venues, built for the answers on each request; every response must be 200. No target in the issue: a read every applicant makes, measured so that it stays cheap.";
const HEALTH_NOTES =
  'Same server; its cheapest request: the public health check (two point reads, no write) through the same stack (helmet, request log, rate limits, admission). Not a target: the ceiling of the HTTP stack on this machine, beside which the 2,000 requests/s with p99 < 25 ms asked of a task completion (an engine command, its case, inbox rows and audit entry, three SQLite commits) is to be read.';

/** A GET that needs no sign-in, under the same load as the write cases. */
function publicRead(id: string, path: string, notes: string): CaseDef {
  return serverCase(
    id,
    `HTTP: GET ${path.split('?')[0]}, 50 connections`,
    notes,
    (server) => ({
      count: 3000,
      warmup: 500,
      async run(count) {
        const result = await load({
          url: `${server().base}${path}`,
          connections: CONNECTIONS,
          amount: count,
        });
        return checked(result, count, `GET ${path}`);
      },
    }),
    null,
  );
}
