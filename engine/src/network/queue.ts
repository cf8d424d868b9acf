/**
 * 取叫号: queue tickets per venue, window type and day. A ticket is taken on arrival (walk-in, with
 * an appointment, or through the green channel 绿色通道 for elderly and disabled applicants);
 * a clerk at a window calls the next one — green channel first, then appointments on time, then
 * first come first served — and the wait and service times feed the dashboard's figures.
 *
 * Numbers come from one counter document per queue and day, calls claim a ticket with
 * compare-and-set: two windows never call the same ticket.
 */
import type { Actor } from '../domain/actor.js';
import { DocConflictError, type DocStore } from '../domain/docs.js';
import { t, DomainError, forbidden, notFound, stateInvalid, type Text } from '../domain/errors.js';
import { regionLevel, requireRole } from '../applications/scope.js';
import { dayOf, formatDay, parseDay } from '../jobs/calendar/index.js';
import { checkResidentId } from '../../../forms/src/validate/formats/resident-id.js';
import { APPOINTMENTS, type Appointment, type AppointmentBook } from './appointments.js';
import { casUpdate } from './cas.js';
import type { ServiceNetwork, Venue } from './types.js';

export const TICKETS = 'queueTickets';
export const COUNTERS = 'queueCounters';

export const QUEUE_INDEXES = {
  [TICKETS]: [['queue', 'status'], ['venue', 'date'], ['date'], ['venue', 'date', 'window', 'status']],
};

const MINUTE = 60_000;

export type Priority = 'green' | 'appointment' | 'normal';
export type GreenReason = 'elderly' | 'disabled' | 'pregnant' | 'military' | 'other';
export type TicketStatus = 'waiting' | 'called' | 'served' | 'noShow';

const RANK: Record<Priority, number> = { green: 2, appointment: 1, normal: 0 };

export interface Ticket {
  id: string;
  rev: number;
  venue: string;
  windowType: string;
  date: string;
  /** `<venue>.<windowType>.<yyyymmdd>`: the queue the number belongs to. */
  queue: string;
  seq: number;
  /** Shown and called out: prefix of the window type + three digits, e.g. A007. */
  number: string;
  priority: Priority;
  greenReason?: GreenReason;
  appointmentId?: string;
  userId?: string;
  bundleCode?: string;
  applicationId?: string;
  status: TicketStatus;
  issuedAt: number;
  issuedBy: string;
  calledAt?: number;
  window?: string;
  calledBy?: string;
  finishedAt?: number;
  /** Minutes from issue to call, and from call to finish. */
  waitMinutes?: number;
  serviceMinutes?: number;
}

/** A ticket as the hall's display board shows it (`QueueDesk.waiting`). */
export type WaitingTicket = Pick<
  Ticket,
  'id' | 'venue' | 'windowType' | 'date' | 'queue' | 'seq' | 'number' | 'priority' | 'status' | 'issuedAt'
>;

export interface IssueInput {
  venue: string;
  /** Required unless the ticket is for an appointment (its window type is used). */
  windowType?: string;
  appointmentId?: string;
  /** 绿色通道 declared by the clerk (disability card shown…). */
  greenChannel?: GreenReason;
  /** Resident ID scanned from the identity code: elderly applicants get the green channel. Not stored. */
  idNumber?: string;
  userId?: string;
  bundleCode?: string;
}

export interface WindowTypeFigures {
  windowType: string;
  name: Text;
  issued: number;
  waiting: number;
  inService: number;
  served: number;
  noShow: number;
  priorityServed: number;
  averageWaitMinutes: number | null;
  maxWaitMinutes: number | null;
  averageServiceMinutes: number | null;
}

export interface QueueStats {
  from: string;
  to: string;
  venues: string[];
  overall: Omit<WindowTypeFigures, 'windowType' | 'name'>;
  byWindowType: WindowTypeFigures[];
  byVenue: (Omit<WindowTypeFigures, 'windowType' | 'name'> & { venue: string; name: Text })[];
}

export const queueKey = (venue: string, windowType: string, date: string) =>
  `${venue}.${windowType}.${date.replace(/-/g, '')}`;

/** The id of the one ticket an appointment can take: `<appointment id>.ticket`. */
export const ticketIdOfAppointment = (appointmentId: string) => `${appointmentId}.ticket`;

const round1 = (n: number) => Math.round(n * 10) / 10;
const average = (values: number[]) =>
  values.length ? round1(values.reduce((a, b) => a + b, 0) / values.length) : null;

export interface QueueOptions {
  docs: DocStore;
  network: ServiceNetwork;
  appointments?: AppointmentBook;
  clock?: () => number;
}

export class QueueDesk {
  private readonly docs: DocStore;
  private readonly network: ServiceNetwork;
  private readonly appointments?: AppointmentBook;
  private readonly clock: () => number;

  constructor(options: QueueOptions) {
    this.docs = options.docs;
    this.network = options.network;
    if (options.appointments) this.appointments = options.appointments;
    this.clock = options.clock ?? Date.now;
  }

  private venue(actor: Actor, id: string): Venue {
    const venue = this.network.venues.get(id);
    if (!venue) throw notFound(t(`服务场所 ${id}`, `venue ${id}`));
    if (actor.role === 'clerk' && actor.venue && actor.venue !== id) {
      throw forbidden(t('只能为本服务场所取号叫号', 'you work at another venue'));
    }
    return venue;
  }

  private today(): string {
    return formatDay(dayOf(this.clock()));
  }

  /** Whether the applicant is old enough for the green channel, from the resident ID's birth date. */
  isElderly(idNumber: string): boolean {
    const check = checkResidentId(idNumber, new Date(this.clock()));
    if (!check.ok) return false;
    const [y, m, d] = check.birthDate.split('-').map(Number) as [number, number, number];
    const birthday = parseDay(
      `${y + this.network.settings.elderlyAge}-${String(m).padStart(2, '0')}-${String(d === 29 && m === 2 ? 28 : d).padStart(2, '0')}`,
    );
    return birthday !== null && birthday <= dayOf(this.clock());
  }

  /** Takes a ticket on arrival (clerk at the door, or the kiosk's account). */
  async issue(actor: Actor, input: IssueInput): Promise<Ticket> {
    requireRole(actor, 'clerk');
    const venue = this.venue(actor, input.venue);
    const date = this.today();
    let windowType = input.windowType;
    // One appointment, one ticket: its ticket id is derived from the appointment and created only
    // if absent, so scans at two kiosks at once (or a double click) end with the same ticket.
    const appointmentTicket = input.appointmentId ? ticketIdOfAppointment(input.appointmentId) : undefined;
    if (input.appointmentId) {
      if (!this.appointments) throw stateInvalid(t('未启用预约', 'appointments are not enabled'));
      const taken = await this.docs.get<Ticket>(TICKETS, appointmentTicket!);
      if (taken?.venue === venue.id) return taken;
      const appointment = await this.docs.get<Appointment>(APPOINTMENTS, input.appointmentId);
      windowType ??= appointment?.windowType;
    }
    if (!windowType || !venue.windows.some((w) => w.type === windowType || w.serves?.includes(windowType!))) {
      throw new DomainError(
        'invalid',
        t(`${venue.name.zh}没有此类窗口`, `${venue.name.en} has no window of this type`),
        [{ field: 'windowType', message: t('请选择本场所的窗口类型', 'choose a window type of this venue') }],
      );
    }
    let id = appointmentTicket;
    let priority: Priority = 'normal';
    // Arrival before numbering: an appointment refused (cancelled, a no-show) takes no number.
    if (input.appointmentId) {
      const arrival = await this.appointments!.arrive(input.appointmentId, venue.id, id!);
      // A booking marked arrived before tickets were derived from appointments keeps its ticket.
      if (arrival.existingTicket && arrival.existingTicket !== id) {
        const existing = await this.docs.get<Ticket>(TICKETS, arrival.existingTicket);
        if (existing) return existing;
        id = arrival.existingTicket;
      }
      if (arrival.onTime) priority = 'appointment';
    }
    const queue = queueKey(venue.id, windowType, date);
    const { result: seq } = await casUpdate<{ id: string; rev: number; next: number }, number>(
      this.docs,
      COUNTERS,
      queue,
      (current) => {
        const next = (current?.next ?? 0) + 1;
        return { doc: { id: queue, rev: current?.rev ?? 0, next }, result: next };
      },
    );
    id ??= `${queue}.${String(seq).padStart(4, '0')}`;
    const green =
      input.greenChannel ?? (input.idNumber && this.isElderly(input.idNumber) ? 'elderly' : undefined);
    if (green) priority = 'green';
    const prefix = this.network.windowTypes.get(windowType)?.prefix ?? 'A';
    const ticket: Ticket = {
      id,
      rev: 0,
      venue: venue.id,
      windowType,
      date,
      queue,
      seq,
      number: `${prefix}${String(seq).padStart(3, '0')}`,
      priority,
      ...(green ? { greenReason: green } : {}),
      ...(input.appointmentId ? { appointmentId: input.appointmentId } : {}),
      ...(input.userId ? { userId: input.userId } : {}),
      ...(input.bundleCode ? { bundleCode: input.bundleCode } : {}),
      status: 'waiting',
      issuedAt: this.clock(),
      issuedBy: actor.userId,
    };
    try {
      return await this.docs.put(TICKETS, ticket, 0);
    } catch (err) {
      // Another arrival for the appointment created its ticket first: that one is the ticket.
      const existing =
        input.appointmentId && err instanceof DocConflictError && (await this.docs.get<Ticket>(TICKETS, id));
      if (existing) return existing;
      throw err;
    }
  }

  /**
   * A clerk at a window calls the next ticket. The ticket the window was serving is finished
   * first (`previous`: served, or noShow when the applicant never came to the counter).
   * Order: the window's own type before the types it also serves; within a queue green channel,
   * then appointments, then the order of arrival.
   */
  async callNext(
    actor: Actor,
    input: { venue: string; window: string; previous?: 'served' | 'noShow' },
  ): Promise<{ ticket: Ticket | null; finished?: Ticket }> {
    requireRole(actor, 'clerk');
    const venue = this.venue(actor, input.venue);
    const window = venue.windows.find((w) => w.id === input.window);
    if (!window)
      throw notFound(
        t(`${venue.name.zh}的 ${input.window} 号窗口`, `window ${input.window} at ${venue.name.en}`),
      );
    const date = this.today();
    let finished: Ticket | undefined;
    const current = await this.docs.find<Ticket>(TICKETS, {
      where: { venue: venue.id, date, window: window.id, status: 'called' },
    });
    for (const c of current) finished = await this.finishTicket(c.id, input.previous ?? 'served');
    for (const type of [window.type, ...(window.serves ?? []).filter((s) => s !== window.type)]) {
      const ticket = await this.claim(queueKey(venue.id, type, date), window.id, actor.userId);
      if (ticket) return { ticket, ...(finished ? { finished } : {}) };
    }
    return { ticket: null, ...(finished ? { finished } : {}) };
  }

  private async claim(queue: string, window: string, clerk: string): Promise<Ticket | null> {
    for (let round = 0; round < 20; round++) {
      const waiting = await this.docs.find<Ticket>(TICKETS, { where: { queue, status: 'waiting' } });
      if (!waiting.length) return null;
      waiting.sort((a, b) => RANK[b.priority] - RANK[a.priority] || a.seq - b.seq);
      for (const candidate of waiting) {
        const now = this.clock();
        const called: Ticket = {
          ...candidate,
          status: 'called',
          calledAt: now,
          window,
          calledBy: clerk,
          waitMinutes: round1((now - candidate.issuedAt) / MINUTE),
        };
        try {
          return await this.docs.put(TICKETS, called, candidate.rev);
        } catch (err) {
          if (!(err instanceof DocConflictError)) throw err; // another window took it: try the next
        }
      }
    }
    return null;
  }

  /** Ends service of a called ticket (also done by the next call at the same window). */
  async finish(actor: Actor, ticketId: string, outcome: 'served' | 'noShow' = 'served'): Promise<Ticket> {
    requireRole(actor, 'clerk');
    const ticket = await this.docs.get<Ticket>(TICKETS, ticketId);
    if (!ticket) throw notFound(t(`号票 ${ticketId}`, `ticket ${ticketId}`));
    this.venue(actor, ticket.venue);
    return this.finishTicket(ticketId, outcome);
  }

  private async finishTicket(ticketId: string, outcome: 'served' | 'noShow'): Promise<Ticket> {
    const { result } = await casUpdate<Ticket>(this.docs, TICKETS, ticketId, (current) => {
      if (!current) throw notFound(t(`号票 ${ticketId}`, `ticket ${ticketId}`));
      if (current.status !== 'called') {
        if (current.status === outcome) return { skip: current };
        throw stateInvalid(t('该号票未在办理中', 'the ticket is not being served'));
      }
      const now = this.clock();
      const done: Ticket = { ...current, status: outcome, finishedAt: now };
      if (outcome === 'served') done.serviceMinutes = round1((now - (current.calledAt ?? now)) / MINUTE);
      return { doc: done, result: done };
    });
    return result;
  }

  /** Links the ticket to the application opened for it (§2.16: ticket → later case). */
  async link(actor: Actor, ticketId: string, applicationId: string): Promise<Ticket> {
    requireRole(actor, 'clerk');
    const ticket = await this.docs.get<Ticket>(TICKETS, ticketId);
    if (!ticket) throw notFound(t(`号票 ${ticketId}`, `ticket ${ticketId}`));
    this.venue(actor, ticket.venue);
    const { result } = await casUpdate<Ticket>(this.docs, TICKETS, ticketId, (current) => {
      const linked = { ...current!, applicationId };
      return { doc: linked, result: linked };
    });
    return result;
  }

  /**
   * Tickets still waiting at a venue today (the hall's display board): numbers and order only —
   * no user id, no green-channel reason (health data), no appointment or staff. Only of a venue
   * the actor's figures cover (`covers`, as `stats`): another one is refused.
   */
  async waiting(actor: Actor, venueId: string): Promise<WaitingTicket[]> {
    requireRole(actor, 'supervisor', 'clerk');
    const venue = this.network.venues.get(venueId);
    if (!venue) throw notFound(t(`服务场所 ${venueId}`, `venue ${venueId}`));
    if (!this.covers(actor, venue)) {
      throw forbidden(
        t(
          '只能查看本辖区（窗口人员：本服务场所）的候号队列',
          'you may only see the queue of a venue in your region (a clerk: your venue)',
        ),
      );
    }
    const all = await this.docs.find<Ticket>(TICKETS, {
      where: { venue: venueId, date: this.today(), status: 'waiting' },
    });
    return all
      .sort(
        (a, b) =>
          a.windowType.localeCompare(b.windowType) || RANK[b.priority] - RANK[a.priority] || a.seq - b.seq,
      )
      .map(({ id, venue, windowType, date, queue, seq, number, priority, status, issuedAt }) => ({
        id,
        venue,
        windowType,
        date,
        queue,
        seq,
        number,
        priority,
        status,
        issuedAt,
      }));
  }

  /** Whether the actor's queue figures and boards cover a venue: a clerk's own venue, else one in their region. */
  private covers(actor: Actor, v: Venue): boolean {
    if (actor.role === 'clerk' && actor.venue && v.id !== actor.venue) return false;
    if (!actor.region) return true;
    const path = this.network.regions.get(v.region)?.path ?? [];
    return (
      path.includes(actor.region) ||
      (regionLevel(actor.region) === 'city' && v.region.startsWith(actor.region.slice(0, 4)))
    );
  }

  /**
   * Dashboard figures for venues within the actor's region (or one venue) over a range of days
   * (default today): tickets issued, waiting, served, no-shows, average and longest wait, average
   * service time — by window type and by venue.
   */
  async stats(actor: Actor, query: { venue?: string; from?: string; to?: string } = {}): Promise<QueueStats> {
    requireRole(actor, 'supervisor', 'clerk');
    const from = query.from ?? this.today();
    const to = query.to ?? from;
    const first = parseDay(from);
    const last = parseDay(to);
    if (first === null || last === null || last < first || last - first > 366) {
      throw new DomainError(
        'invalid',
        t('统计日期范围无效（最长一年）', 'invalid date range (at most a year)'),
        [{ field: 'from', message: t('日期应为 YYYY-MM-DD', 'dates are YYYY-MM-DD') }],
      );
    }
    const venues = [...this.network.venues.values()].filter(
      (v) => (!query.venue || v.id === query.venue) && this.covers(actor, v),
    );
    const dates: string[] = [];
    for (let d = first; d <= last; d++) dates.push(formatDay(d));
    const tickets = venues.length
      ? await this.docs.find<Ticket>(TICKETS, { where: { venue: venues.map((v) => v.id), date: dates } })
      : [];
    const figures = (list: Ticket[]) => {
      const waits = list.filter((x) => x.waitMinutes !== undefined).map((x) => x.waitMinutes!);
      const services = list.filter((x) => x.serviceMinutes !== undefined).map((x) => x.serviceMinutes!);
      return {
        issued: list.length,
        waiting: list.filter((x) => x.status === 'waiting').length,
        inService: list.filter((x) => x.status === 'called').length,
        served: list.filter((x) => x.status === 'served').length,
        noShow: list.filter((x) => x.status === 'noShow').length,
        priorityServed: list.filter((x) => x.status === 'served' && x.priority !== 'normal').length,
        averageWaitMinutes: average(waits),
        maxWaitMinutes: waits.length ? Math.max(...waits) : null,
        averageServiceMinutes: average(services),
      };
    };
    const types = [...new Set(tickets.map((x) => x.windowType))].sort();
    return {
      from,
      to,
      venues: venues.map((v) => v.id),
      overall: figures(tickets),
      byWindowType: types.map((type) => ({
        windowType: type,
        name: this.network.windowTypes.get(type)?.name ?? { zh: type, en: type },
        ...figures(tickets.filter((x) => x.windowType === type)),
      })),
      byVenue: venues
        .filter((v) => tickets.some((x) => x.venue === v.id))
        .map((v) => ({ venue: v.id, name: v.name, ...figures(tickets.filter((x) => x.venue === v.id)) })),
    };
  }
}
