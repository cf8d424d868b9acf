/**
 * The service network over HTTP, in the route-table style of engine/src/http: regions and
 * venues, appointment slots and bookings, queue tickets and their figures, and the public guide.
 * `networkResources(services)` gives the Resources to add to the app's list (http/app.ts).
 */
import type { DocStore } from '../domain/docs.js';
import { notFound, type Text } from '../domain/errors.js';
import type { WorkingCalendar } from '../jobs/calendar/index.js';
import type { BundleDefinition } from '../../../forms/src/bundle/index.js';
import { reply, type Method, type Resource } from '../http/route.js';
import { codeParam, idParam, objectOf, text } from '../http/schemas.js';
import { HttpProblem } from '../http/problem.js';
import { AppointmentBook } from './appointments.js';
import { buildGuide } from './guide.js';
import { QueueDesk } from './queue.js';
import { venuesFor } from './routing.js';
import type { ServiceNetwork } from './types.js';

/** Where published bundles come from: the Centre's registry (`centre.bundles`). */
export interface BundleSource {
  latest(code: string): Promise<{ code: string; version: number; definition: BundleDefinition } | undefined>;
  /** The newest version of each bundle (the public guide lists the active ones). */
  list(): Promise<
    {
      code: string;
      version: number;
      status: string;
      name: Text;
      promisedDays: number;
      items: { code: string; name: Text }[];
    }[]
  >;
}

export interface NetworkServices {
  network: ServiceNetwork;
  appointments: AppointmentBook;
  queue: QueueDesk;
  bundles: BundleSource;
  clock: () => number;
}

export function createNetworkServices(options: {
  docs: DocStore;
  network: ServiceNetwork;
  bundles: BundleSource;
  clock?: () => number;
  calendar?: WorkingCalendar;
}): NetworkServices {
  const clock = options.clock ?? Date.now;
  const { docs, network } = options;
  const appointments = new AppointmentBook({
    docs,
    network,
    clock,
    ...(options.calendar ? { calendar: options.calendar } : {}),
  });
  return {
    network,
    appointments,
    queue: new QueueDesk({ docs, network, appointments, clock }),
    bundles: options.bundles,
    clock,
  };
}

// express and the OpenAPI generator take `delete`; route.ts's Method does not list it yet.
const DELETE: Method = 'delete';

const regionCode = { type: 'string', pattern: '^(\\d{6}|\\d{9}|\\d{12})$' };
const date = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' };
const hhmm = { type: 'string', pattern: '^([01]\\d|2[0-3]):[0-5]\\d$' };
const obj = (description: string) => ({ type: 'object', description });
const list = (items: object) => ({
  type: 'object',
  properties: { items: { type: 'array', items } },
  required: ['items'],
});

const RegionOut = obj('A region: code, name, kind, level, parent, path from the city, illustrative');
const VenueOut = obj(
  'A venue: id, name, kind, region, address, accepted bundles and items, windows, hours, appointments',
);
const SlotOut = obj('An appointment slot: start, end, capacity, booked, available, bookable');
const AppointmentOut = obj('A booking with its slot: id, venue, windowType, date, start, end, status');
const TicketOut = obj('A queue ticket: number, window type, priority, status, wait and service minutes');
const WaitingTicketOut = obj(
  'A ticket on the hall display: number, window type, priority, status, when issued (no user id, no green-channel reason)',
);
const StatsOut = obj('Queue figures overall, by window type and by venue');
const GuideBundleOut = obj('A bundle with a public guide: code, version, name, promised days, items');
const GuideOut = obj(
  'The guide for the answers: items, materials, fees, time limits, venues; the situations the bundle cannot be applied for, and `refused` (their messages, no items or materials) when the answers fall into one (see network/guide.ts)',
);

export function networkResources(services: NetworkServices): Resource[] {
  const { network, appointments, queue, bundles } = services;
  const regionsOut = () =>
    [...network.regions.values()].map((r) => ({
      code: r.code,
      name: r.name,
      kind: r.kind,
      level: r.level,
      parent: r.parent,
      path: r.path,
      ...(r.illustrative ? { illustrative: true } : {}),
    }));
  return [
    {
      name: 'network',
      description: { zh: '服务网络：区划、服务场所', en: 'Service network: regions and venues' },
      base: '/api/network',
      routes: [
        {
          method: 'get',
          path: '/regions',
          operationId: 'network.regions',
          summary: {
            zh: '行政区划（市、区/功能区、镇街、村居）',
            en: 'Regions: city, districts and zones, towns, villages',
          },
          roles: 'public',
          query: { parent: regionCode, level: { enum: ['city', 'district', 'town', 'village'] } },
          response: {
            schema: {
              ...list(RegionOut),
              properties: { ...list(RegionOut).properties, version: { type: 'string' } },
            },
          },
          handler: async ({ query }) => ({
            version: network.version,
            items: regionsOut().filter(
              (r) =>
                (!query.parent || r.parent === query.parent) && (!query.level || r.level === query.level),
            ),
          }),
        },
        {
          method: 'get',
          path: '/venues',
          operationId: 'network.venues',
          summary: {
            zh: '服务场所（可按区划就近排序、按事项包筛选）',
            en: 'Venues, nearest to a region first, optionally those receiving a bundle',
          },
          roles: 'public',
          query: { region: regionCode, bundle: codeParam },
          response: { schema: list(VenueOut) },
          handler: async ({ query }) => {
            if (query.region && !network.regions.has(query.region))
              throw notFound({ zh: `区划 ${query.region}`, en: `region ${query.region}` });
            const found = venuesFor(network, {
              ...(query.region ? { region: query.region } : {}),
              ...(query.bundle ? { bundle: query.bundle } : {}),
            });
            return {
              items: found.map(({ venue }) => ({
                ...venue,
                hours: venue.hours ?? network.settings.hours,
                windowTypes: appointments.windowTypesOf(venue),
                appointments: !!appointments.settingsOf(venue),
              })),
            };
          },
        },
      ],
    },
    {
      name: 'appointments',
      description: { zh: '统一预约', en: 'Appointments' },
      base: '/api/appointments',
      routes: [
        {
          method: 'get',
          path: '/slots',
          operationId: 'appointments.slots',
          summary: {
            zh: '可预约时段（按场所、窗口类型、日期）',
            en: 'Slots of a venue, window type and day',
          },
          roles: 'public',
          query: { venue: codeParam, windowType: codeParam, date },
          response: { schema: list(SlotOut) },
          errors: [404, 409],
          handler: async ({ query }) => {
            if (!query.venue || !query.windowType || !query.date) {
              throw new HttpProblem('bad-request', {
                zh: '需要 venue、windowType 和 date',
                en: 'venue, windowType and date are required',
              });
            }
            return {
              items: await appointments.listSlots({
                venue: query.venue,
                windowType: query.windowType,
                date: query.date,
              }),
            };
          },
        },
        {
          method: 'post',
          path: '',
          operationId: 'appointments.book',
          summary: {
            zh: '预约（申请人本人；窗口人员可代为预约）',
            en: 'Book a slot (applicants; clerks for an applicant)',
          },
          roles: ['applicant', 'clerk'],
          body: objectOf(
            {
              venue: codeParam,
              windowType: codeParam,
              date,
              start: hhmm,
              bundleCode: codeParam,
              userId: text(64),
              name: text(50),
              phone: text(20),
            },
            ['venue', 'windowType', 'date', 'start'],
          ),
          response: { status: 201, schema: AppointmentOut },
          errors: [404, 409],
          handler: async ({ actor, body }) => {
            const a = await appointments.book(actor, body);
            return reply({
              status: 201,
              body: a,
              headers: { Location: `/api/appointments/${encodeURIComponent(a.id)}` },
              auditTarget: `appointment:${a.id}`,
            });
          },
        },
        {
          method: 'get',
          path: '',
          operationId: 'appointments.mine',
          summary: { zh: '我的预约', en: 'My appointments' },
          roles: ['applicant'],
          response: { schema: list(AppointmentOut) },
          handler: async ({ actor }) => ({ items: await appointments.listMine(actor) }),
        },
        {
          method: DELETE,
          path: '/:id',
          operationId: 'appointments.cancel',
          summary: { zh: '取消预约（时段开始前）', en: 'Cancel an appointment (before its slot)' },
          roles: ['applicant', 'clerk'],
          params: { id: idParam },
          response: { schema: AppointmentOut },
          errors: [404, 409],
          handler: async ({ actor, params }) => appointments.cancel(actor, params.id),
        },
      ],
    },
    {
      name: 'tickets',
      description: { zh: '取号叫号', en: 'Queue tickets' },
      base: '/api/tickets',
      routes: [
        {
          method: 'post',
          path: '',
          operationId: 'tickets.issue',
          summary: {
            zh: '到场取号（预约号、绿色通道、现场号）',
            en: 'Take a ticket on arrival (appointment, green channel, walk-in)',
          },
          roles: ['clerk'],
          body: objectOf(
            {
              venue: codeParam,
              windowType: codeParam,
              appointmentId: idParam,
              greenChannel: { enum: ['elderly', 'disabled', 'pregnant', 'military', 'other'] },
              idNumber: {
                ...text(18),
                description: 'Scanned resident ID: elderly applicants get the green channel; not stored',
              },
              userId: text(64),
              bundleCode: codeParam,
            },
            ['venue'],
          ),
          response: { status: 201, schema: TicketOut },
          errors: [404, 409],
          handler: async ({ actor, body }) => {
            const ticket = await queue.issue(actor, body);
            return reply({ status: 201, body: ticket, auditTarget: `ticket:${ticket.id}` });
          },
        },
        {
          method: 'post',
          path: '/call',
          operationId: 'tickets.call',
          summary: {
            zh: '窗口叫号（先结束本窗口当前号）',
            en: 'Call the next ticket at a window (ends the current one)',
          },
          roles: ['clerk'],
          body: objectOf(
            {
              venue: codeParam,
              window: { type: 'string', pattern: '^[A-Za-z0-9-]{1,16}$' },
              previous: { enum: ['served', 'noShow'] },
            },
            ['venue', 'window'],
          ),
          response: {
            schema: {
              type: 'object',
              properties: { ticket: { oneOf: [TicketOut, { type: 'null' }] }, finished: TicketOut },
              required: ['ticket'],
            },
          },
          errors: [404, 409],
          target: (ctx) => `window:${ctx.body.venue}/${ctx.body.window}`,
          handler: async ({ actor, body }) => queue.callNext(actor, body),
        },
        {
          method: 'post',
          path: '/:id/finish',
          operationId: 'tickets.finish',
          summary: { zh: '办结当前号（或记为过号）', en: 'Finish serving a ticket (or record a no-show)' },
          roles: ['clerk'],
          params: { id: idParam },
          body: objectOf({ outcome: { enum: ['served', 'noShow'] }, applicationId: idParam }),
          response: { schema: TicketOut },
          errors: [404, 409],
          handler: async ({ actor, params, body }) => {
            const done = await queue.finish(actor, params.id, body.outcome ?? 'served');
            return body.applicationId ? queue.link(actor, done.id, body.applicationId) : done;
          },
        },
        {
          method: 'get',
          path: '/waiting',
          operationId: 'tickets.waiting',
          summary: {
            zh: '候号队列（大厅显示屏）：仅本辖区服务场所（窗口人员：本场所），不含用户与绿色通道事由',
            en: 'Tickets waiting at a venue (hall display): a venue of your region only (a clerk: your own); no user ids or green-channel reasons',
          },
          roles: ['clerk', 'supervisor'],
          query: { venue: codeParam },
          response: { schema: list(WaitingTicketOut) },
          errors: [404],
          handler: async ({ actor, query }) => {
            const venue = query.venue ?? actor.venue;
            if (!venue) throw new HttpProblem('bad-request', { zh: '需要 venue', en: 'venue is required' });
            return { items: await queue.waiting(actor, venue) };
          },
        },
        {
          method: 'get',
          path: '/stats',
          operationId: 'tickets.stats',
          summary: {
            zh: '排队指标：等候时长、办理时长、各类窗口办理量',
            en: 'Queue figures: waiting and service times, served per window type',
          },
          roles: ['supervisor', 'clerk'],
          query: { venue: codeParam, from: date, to: date },
          response: { schema: StatsOut },
          handler: async ({ actor, query }) => queue.stats(actor, query),
        },
      ],
    },
    {
      name: 'guides',
      description: { zh: '办事指南（一次告知，免登录）', en: 'Public guides (no sign-in)' },
      base: '/api/guides',
      routes: [
        {
          method: 'get',
          path: '',
          operationId: 'guides.list',
          summary: { zh: '可查看办事指南的事项包', en: 'Bundles with a public guide' },
          roles: 'public',
          response: { schema: list(GuideBundleOut) },
          handler: async () => ({
            items: (await bundles.list())
              .filter((b) => b.status === 'active')
              .map(({ code, version, name, promisedDays, items }) => ({
                code,
                version,
                name,
                promisedDays,
                items: items.map((i) => ({ code: i.code, name: i.name })),
              })),
          }),
        },
        {
          method: 'get',
          path: '/:bundleCode',
          operationId: 'guides.get',
          summary: {
            zh: '按情形答案生成的办事指南：条件、材料、时限、收费、办理地点',
            en: 'The guide for situation answers: conditions, materials, limits, fees, venues',
          },
          roles: 'public',
          params: { bundleCode: codeParam },
          query: {
            answers: {
              type: 'string',
              maxLength: 4000,
              description: 'Situation answers as a JSON object, URL-encoded',
            },
            region: regionCode,
          },
          response: { schema: GuideOut },
          errors: [404],
          handler: async ({ params, query }) => {
            const answers = parseAnswers(query.answers);
            const record = await bundles.latest(params.bundleCode);
            if (!record)
              throw notFound({ zh: `事项包 ${params.bundleCode}`, en: `bundle ${params.bundleCode}` });
            return buildGuide(network, record, answers, {
              ...(query.region ? { region: query.region } : {}),
              now: services.clock(),
            });
          },
        },
      ],
    },
  ];
}

/** `?answers=` is a URL-encoded JSON object of situation answers. */
function parseAnswers(raw: string | undefined): Record<string, unknown> {
  if (!raw) return {};
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    value = undefined;
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw new HttpProblem(
      'bad-request',
      { zh: 'answers 须为 JSON 对象', en: 'answers must be a JSON object' },
      [{ field: 'query.answers', message: { zh: '不是 JSON 对象', en: 'not a JSON object' } }],
    );
  }
  return value as Record<string, unknown>;
}
