/**
 * 统一预约: appointment slots per venue, window type and working day. Each slot is one document
 * holding its bookings; booking and cancelling update it with compare-and-set and retry, so a
 * slot never takes more bookings than its capacity, however many applicants book at once.
 * A projection per appointment (collection `appointments`) serves "my appointments" and cancels.
 */
import { randomBytes } from 'node:crypto';
import type { Actor } from '../domain/actor.js';
import { encodeCursor, type DocStore } from '../domain/docs.js';
import { t, DomainError, forbidden, notFound, stateInvalid } from '../domain/errors.js';
import { requireRole } from '../applications/scope.js';
import {
  dayOf,
  defaultCalendar,
  formatDay,
  parseDay,
  startOfDay,
  type WorkingCalendar,
} from '../jobs/calendar/index.js';
import { calendarRegionOf } from './calendar-region.js';
import { casUpdate } from './cas.js';
import { mayAccept } from './routing.js';
import type { AppointmentSettings, ServiceNetwork, Venue } from './types.js';

export const SLOTS = 'appointmentSlots';
export const APPOINTMENTS = 'appointments';

const MINUTE = 60_000;
/** Appointments the no-show sweep reads at a time. */
const SWEEP_PAGE = 100;

export type BookingStatus = 'booked' | 'cancelled' | 'arrived' | 'noShow';

export interface Booking {
  id: string;
  userId: string;
  name?: string;
  phone?: string;
  bundleCode?: string;
  bookedAt: number;
  bookedBy: string;
  status: BookingStatus;
  cancelledAt?: number;
  arrivedAt?: number;
  ticketId?: string;
}

/** When and where: a period of one window type at one venue on one working day. */
export interface SlotTime {
  venue: string;
  windowType: string;
  date: string;
  start: string;
  end: string;
  startsAt: number;
  endsAt: number;
}

/** One bookable slot: the document its bookings are saved in (compare-and-set). */
export interface SlotDoc extends SlotTime {
  id: string;
  rev: number;
  capacity: number;
  bookings: Booking[];
}

/** What an applicant holds: one booking with its slot, as stored in the projection. */
export interface Appointment extends SlotTime, Omit<Booking, 'name' | 'phone' | 'bookedBy'> {
  rev: number;
  slotId: string;
}

export interface SlotView {
  id: string;
  venue: string;
  windowType: string;
  date: string;
  start: string;
  end: string;
  capacity: number;
  booked: number;
  available: number;
  /** Still open for booking (not started, not full). */
  bookable: boolean;
}

/** DocStore indexes these collections need (merge into DOC_INDEXES). */
export const APPOINTMENT_INDEXES = {
  [SLOTS]: [['venue', 'windowType', 'date'], ['date']],
  [APPOINTMENTS]: [
    ['userId', 'status'],
    ['venue', 'date'],
    // The no-show sweep: appointments still booked, earliest slot end first.
    ['status', 'endsAt'],
  ],
};

const holds = (b: Booking) => b.status !== 'cancelled';
const hhmm = (m: number) =>
  `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
const minutesOf = (s: string) => Number(s.slice(0, 2)) * 60 + Number(s.slice(3));

/** Why a booking cannot be used on arrival: names it, its slot and its state (cancelled, or marked a no-show). */
function notUsable(appointmentId: string, slot: SlotTime, status: 'cancelled' | 'noShow'): DomainError {
  const zh = `预约 ${appointmentId}（${slot.date} ${slot.start}–${slot.end}）`;
  const en = `appointment ${appointmentId} (${slot.date} ${slot.start}–${slot.end})`;
  return stateInvalid(
    status === 'noShow'
      ? t(
          `${zh}已记为爽约：时段及迟到宽限已过，不再享有预约优先，请取普通号`,
          `${en} was marked a no-show: its slot and the lateness allowance are over, so it no longer has appointment priority; take an ordinary ticket`,
        )
      : t(
          `${zh}已取消，不能凭此取号，请取普通号`,
          `${en} was cancelled: it cannot be used for a ticket; take an ordinary ticket`,
        ),
  );
}

export const slotId = (venue: string, windowType: string, date: string, start: string) =>
  `${venue}.${windowType}.${date.replace(/-/g, '')}.${start.replace(':', '')}`;

/** The slot id inside an appointment id (`<slot id>.<nonce>`). */
export function slotOfAppointment(appointmentId: string): string | undefined {
  const parts = appointmentId.split('.');
  return parts.length === 5 ? parts.slice(0, 4).join('.') : undefined;
}

export interface AppointmentOptions {
  docs: DocStore;
  network: ServiceNetwork;
  calendar?: WorkingCalendar;
  clock?: () => number;
}

export class AppointmentBook {
  private readonly docs: DocStore;
  private readonly network: ServiceNetwork;
  private readonly calendar: WorkingCalendar;
  private readonly clock: () => number;

  constructor(options: AppointmentOptions) {
    this.docs = options.docs;
    this.network = options.network;
    this.calendar = options.calendar ?? defaultCalendar();
    this.clock = options.clock ?? Date.now;
  }

  /** The venue's appointment settings, or undefined when it takes no appointments. */
  settingsOf(venue: Venue): AppointmentSettings | undefined {
    if (venue.appointments === false || !venue.windows.length) return undefined;
    const own = typeof venue.appointments === 'object' ? venue.appointments : {};
    const base = this.network.settings.appointments;
    return { ...base, ...own, capacity: { ...base.capacity, ...own.capacity } };
  }

  /** Window types one can book at a venue: those of its windows, except counters of kind `other`. */
  windowTypesOf(venue: Venue): string[] {
    const types = new Set(venue.windows.map((w) => w.type));
    return [...types].filter((code) => this.network.windowTypes.get(code)?.kind !== 'other');
  }

  capacityOf(venue: Venue, windowType: string): number {
    const s = this.settingsOf(venue);
    if (!s) return 0;
    return (
      s.capacity?.[windowType] ?? s.perWindow * venue.windows.filter((w) => w.type === windowType).length
    );
  }

  private venue(id: string): Venue {
    const venue = this.network.venues.get(id);
    if (!venue) throw notFound(t(`服务场所 ${id}`, `venue ${id}`));
    return venue;
  }

  /** Checks venue, window type and date; the day's slot plan (not yet the bookings). */
  private plan(venueId: string, windowType: string, date: string) {
    const venue = this.venue(venueId);
    const settings = this.settingsOf(venue);
    if (!settings)
      throw stateInvalid(t(`${venue.name.zh}不提供预约`, `${venue.name.en} takes no appointments`));
    if (!this.windowTypesOf(venue).includes(windowType)) {
      throw new DomainError(
        'invalid',
        t(
          `${venue.name.zh}没有可预约的“${windowType}”窗口`,
          `${venue.name.en} has no bookable "${windowType}" windows`,
        ),
        [{ field: 'windowType', message: t('该场所没有此类窗口', 'no such window type at this venue') }],
      );
    }
    const day = parseDay(date);
    if (day === null)
      throw new DomainError('invalid', t('日期格式应为 YYYY-MM-DD', 'the date must be YYYY-MM-DD'), [
        { field: 'date', message: t('日期无效', 'invalid date') },
      ]);
    const region = calendarRegionOf(this.calendar, venue.region);
    const today = dayOf(this.clock());
    const last = this.calendar.nthWorkingDayAfter(today, settings.horizonDays, region);
    const open = day >= today && day <= last && this.calendar.isWorking(day, region);
    const sessions = (venue.hours ?? this.network.settings.hours).sessions;
    const slots: { start: string; end: string; startsAt: number; endsAt: number }[] = [];
    for (const s of sessions) {
      for (
        let m = minutesOf(s.from);
        m + settings.slotMinutes <= minutesOf(s.to);
        m += settings.slotMinutes
      ) {
        const startsAt = startOfDay(day) + m * MINUTE;
        slots.push({
          start: hhmm(m),
          end: hhmm(m + settings.slotMinutes),
          startsAt,
          endsAt: startsAt + settings.slotMinutes * MINUTE,
        });
      }
    }
    return {
      venue,
      settings,
      open,
      slots,
      capacity: this.capacityOf(venue, windowType),
      lastDay: formatDay(last),
    };
  }

  /** The day's slots with what is left; an empty list on days off and outside the booking horizon. */
  async listSlots(query: { venue: string; windowType: string; date: string }): Promise<SlotView[]> {
    const { open, slots, capacity } = this.plan(query.venue, query.windowType, query.date);
    if (!open) return [];
    const stored = await this.docs.find<SlotDoc>(SLOTS, {
      where: { venue: query.venue, windowType: query.windowType, date: query.date },
    });
    const byId = new Map(stored.map((s) => [s.id, s]));
    const now = this.clock();
    return slots.map((s) => {
      const id = slotId(query.venue, query.windowType, query.date, s.start);
      const booked = byId.get(id)?.bookings.filter(holds).length ?? 0;
      const available = Math.max(0, capacity - booked);
      return {
        id,
        venue: query.venue,
        windowType: query.windowType,
        date: query.date,
        start: s.start,
        end: s.end,
        capacity,
        booked,
        available,
        bookable: available > 0 && s.startsAt > now,
      };
    });
  }

  /**
   * Books a place: the applicant for themselves, or a clerk for an applicant (`userId`). Refused
   * when the slot is full or has begun, the applicant already holds this slot, or has missed
   * too many appointments lately.
   */
  async book(
    actor: Actor,
    input: {
      venue: string;
      windowType: string;
      date: string;
      start: string;
      bundleCode?: string;
      userId?: string;
      name?: string;
      phone?: string;
    },
  ): Promise<Appointment> {
    requireRole(actor, 'applicant', 'clerk');
    const userId = actor.role === 'applicant' ? actor.userId : input.userId;
    if (!userId)
      throw new DomainError(
        'invalid',
        t('代为预约须指明申请人账号', 'booking for an applicant needs their account'),
        [{ field: 'userId', message: t('必填', 'required') }],
      );
    const { venue, settings, open, slots, capacity } = this.plan(input.venue, input.windowType, input.date);
    const slot = slots.find((s) => s.start === input.start);
    if (!open || !slot) throw stateInvalid(t('该时段不可预约', 'this time cannot be booked'));
    const now = this.clock();
    if (slot.startsAt <= now) throw stateInvalid(t('该时段已开始，不能预约', 'this slot has already begun'));
    if (input.bundleCode && !mayAccept(this.network, venue.id, input.bundleCode)) {
      throw stateInvalid(
        t(`${venue.name.zh}不受理该事项`, `${venue.name.en} does not receive ${input.bundleCode}`),
      );
    }
    const since = now - settings.noShowDays * 86_400_000;
    const missed = (
      await this.docs.find<Appointment>(APPOINTMENTS, { where: { userId, status: 'noShow' } })
    ).filter((a) => a.startsAt >= since);
    if (missed.length >= settings.noShowLimit) {
      throw forbidden(
        t(
          `近${settings.noShowDays}天内爽约${missed.length}次，暂不能预约`,
          `${missed.length} missed appointments in ${settings.noShowDays} days: booking is suspended`,
        ),
      );
    }
    const id = slotId(venue.id, input.windowType, input.date, slot.start);
    const booking: Booking = {
      id: `${id}.${randomBytes(6).toString('hex')}`,
      userId,
      ...(input.name ? { name: input.name } : {}),
      ...(input.phone ? { phone: input.phone } : {}),
      ...(input.bundleCode ? { bundleCode: input.bundleCode } : {}),
      bookedAt: now,
      bookedBy: actor.userId,
      status: 'booked',
    };
    const { saved } = await casUpdate<SlotDoc>(this.docs, SLOTS, id, (current) => {
      const doc: SlotDoc = current ?? {
        id,
        rev: 0,
        venue: venue.id,
        windowType: input.windowType,
        date: input.date,
        ...slot,
        capacity,
        bookings: [],
      };
      doc.capacity = capacity;
      const held = doc.bookings.filter(holds);
      if (held.some((b) => b.userId === userId && b.status === 'booked'))
        throw stateInvalid(t('您已预约该时段', 'you already hold this slot'));
      if (held.length >= capacity) throw stateInvalid(t('该时段已约满', 'this slot is fully booked'));
      doc.bookings.push(booking);
      return { doc, result: doc };
    });
    return this.project(saved!, booking);
  }

  /** Cancels before the slot begins: the applicant their own, a clerk any. */
  async cancel(actor: Actor, appointmentId: string): Promise<Appointment> {
    requireRole(actor, 'applicant', 'clerk');
    const id = slotOfAppointment(appointmentId);
    const missing = () => notFound(t(`预约 ${appointmentId}`, `appointment ${appointmentId}`));
    if (!id) throw missing();
    const now = this.clock();
    const { saved, result } = await casUpdate<SlotDoc, Booking>(this.docs, SLOTS, id, (current) => {
      const booking = current?.bookings.find((b) => b.id === appointmentId);
      if (!current || !booking || (actor.role === 'applicant' && booking.userId !== actor.userId))
        throw missing();
      if (booking.status === 'cancelled') return { skip: booking };
      if (booking.status !== 'booked')
        throw stateInvalid(
          t('已到场或已爽约的预约不能取消', 'an appointment already used or missed cannot be cancelled'),
        );
      if (current.startsAt <= now)
        throw stateInvalid(
          t('预约时段已开始，不能取消', 'the slot has begun; it can no longer be cancelled'),
        );
      booking.status = 'cancelled';
      booking.cancelledAt = now;
      return { doc: current, result: booking };
    });
    return saved ? this.project(saved, result) : this.get(actor, appointmentId);
  }

  async get(actor: Actor, appointmentId: string): Promise<Appointment> {
    const a = await this.docs.get<Appointment>(APPOINTMENTS, appointmentId);
    if (
      !a ||
      (actor.role === 'applicant' && a.userId !== actor.userId) ||
      !['applicant', 'clerk', 'supervisor'].includes(actor.role)
    ) {
      throw notFound(t(`预约 ${appointmentId}`, `appointment ${appointmentId}`));
    }
    return a;
  }

  /** The applicant's appointments, newest slot first. */
  async listMine(actor: Actor): Promise<Appointment[]> {
    requireRole(actor, 'applicant');
    return this.docs.find<Appointment>(APPOINTMENTS, {
      where: { userId: actor.userId },
      orderBy: 'startsAt',
      desc: true,
      limit: 100,
    });
  }

  /**
   * On arrival (queue.ts): marks the booking arrived with its ticket. Answers whether it kept its
   * priority (arrived from `earlyMinutes` before to `lateMinutes` after the slot) and, when the
   * booking was already used, the ticket it got then.
   */
  async arrive(
    appointmentId: string,
    venueId: string,
    ticketId: string,
  ): Promise<{ appointment: Appointment; onTime: boolean; existingTicket?: string }> {
    const id = slotOfAppointment(appointmentId);
    const missing = () => notFound(t(`预约 ${appointmentId}`, `appointment ${appointmentId}`));
    if (!id) throw missing();
    const now = this.clock();
    const settings = this.allowancesOf(this.venue(venueId));
    const { saved, result } = await casUpdate<SlotDoc, { booking: Booking; existing?: string }>(
      this.docs,
      SLOTS,
      id,
      (current) => {
        const booking = current?.bookings.find((b) => b.id === appointmentId);
        if (!current || !booking || current.venue !== venueId) throw missing();
        if (booking.status === 'arrived')
          return { skip: { booking, ...(booking.ticketId ? { existing: booking.ticketId } : {}) } };
        if (booking.status === 'cancelled' || booking.status === 'noShow')
          throw notUsable(appointmentId, current, booking.status);
        if (current.date !== formatDay(dayOf(now)))
          throw stateInvalid(
            t(`预约日期为 ${current.date}，不是今天`, `the appointment is for ${current.date}, not today`),
          );
        booking.status = 'arrived';
        booking.arrivedAt = now;
        booking.ticketId = ticketId;
        return { doc: current, result: { booking } };
      },
    );
    const slot = saved ?? (await this.docs.get<SlotDoc>(SLOTS, id))!;
    const appointment = saved
      ? await this.project(saved, result.booking)
      : await this.projectionOf(slot, result.booking);
    const onTime =
      now >= slot.startsAt - settings.earlyMinutes * MINUTE &&
      now <= slot.endsAt + settings.lateMinutes * MINUTE;
    return { appointment, onTime, ...(result.existing ? { existingTicket: result.existing } : {}) };
  }

  /** The venue's appointment settings, or the network's for a venue that no longer takes appointments. */
  private allowancesOf(venue: Venue | undefined): AppointmentSettings {
    return (venue && this.settingsOf(venue)) ?? this.network.settings.appointments;
  }

  /**
   * Bookings never used by `lateMinutes` after their slot become no-shows; returns how many. With
   * a date, that day's slots; without (the server's tick), today's and every earlier slot still
   * holding a booked place, so a tick after midnight, or the first after the server was down,
   * still marks the earlier days (and the no-show limit counts them). Those are found through
   * the appointments still `booked`, earliest slot end first, not by reading past days' slots.
   */
  async markNoShows(date?: string): Promise<number> {
    const slots = await this.docs.find<SlotDoc>(SLOTS, {
      where: { date: date ?? formatDay(dayOf(this.clock())) },
    });
    const recorded = date === undefined ? await this.bookedInEndedSlots() : new Map<string, string[]>();
    for (const id of recorded.keys()) {
      if (slots.some((s) => s.id === id)) continue;
      const slot = await this.docs.get<SlotDoc>(SLOTS, id);
      if (slot) slots.push(slot);
    }
    let marked = 0;
    for (const before of slots) {
      const { slot, missed } = await this.markSlot(before);
      marked += missed.size;
      // A record still `booked` that its slot contradicts (a write lost after the slot's) is written again.
      const stale = recorded.get(slot.id) ?? [];
      for (const b of slot.bookings) {
        if (missed.has(b.id) || (stale.includes(b.id) && b.status !== 'booked')) await this.project(slot, b);
      }
    }
    return marked;
  }

  /** Ids of the appointments recorded as booked whose slot has ended, by slot id. */
  private async bookedInEndedSlots(): Promise<Map<string, string[]>> {
    const now = this.clock();
    const bySlot = new Map<string, string[]>();
    for (let after: string | undefined; ;) {
      const page = await this.docs.find<Appointment>(APPOINTMENTS, {
        where: { status: 'booked' },
        orderBy: 'endsAt',
        limit: SWEEP_PAGE,
        fields: ['slotId', 'endsAt'],
        ...(after ? { after } : {}),
      });
      for (const a of page)
        if (a.endsAt <= now) bySlot.set(a.slotId, [...(bySlot.get(a.slotId) ?? []), a.id]);
      const last = page.at(-1);
      if (!last || page.length < SWEEP_PAGE || last.endsAt > now) return bySlot;
      after = encodeCursor(last.endsAt, last.id);
    }
  }

  /** Marks a slot's booked places no-shows once it and the lateness allowance are over: the slot after, and who was marked. */
  private async markSlot(slot: SlotDoc): Promise<{ slot: SlotDoc; missed: Set<string> }> {
    const late = this.allowancesOf(this.network.venues.get(slot.venue)).lateMinutes;
    if (slot.endsAt + late * MINUTE > this.clock() || !slot.bookings.some((b) => b.status === 'booked'))
      return { slot, missed: new Set() };
    const { saved, result } = await casUpdate<SlotDoc, Booking[]>(this.docs, SLOTS, slot.id, (current) => {
      const missed = current!.bookings.filter((b) => b.status === 'booked');
      for (const b of missed) b.status = 'noShow';
      return missed.length ? { doc: current!, result: missed } : { skip: [] };
    });
    return { slot: saved ?? slot, missed: new Set(result.map((b) => b.id)) };
  }

  private async projectionOf(slot: SlotDoc, booking: Booking): Promise<Appointment> {
    return (await this.docs.get<Appointment>(APPOINTMENTS, booking.id)) ?? this.project(slot, booking);
  }

  /** Writes the derived per-appointment record from the slot (the source of truth). */
  private async project(slot: SlotDoc, b: Booking): Promise<Appointment> {
    const a: Appointment = {
      id: b.id,
      rev: 1,
      slotId: slot.id,
      venue: slot.venue,
      windowType: slot.windowType,
      date: slot.date,
      start: slot.start,
      end: slot.end,
      startsAt: slot.startsAt,
      endsAt: slot.endsAt,
      userId: b.userId,
      ...(b.bundleCode ? { bundleCode: b.bundleCode } : {}),
      status: b.status,
      bookedAt: b.bookedAt,
      ...(b.cancelledAt ? { cancelledAt: b.cancelledAt } : {}),
      ...(b.arrivedAt ? { arrivedAt: b.arrivedAt } : {}),
      ...(b.ticketId ? { ticketId: b.ticketId } : {}),
    };
    await this.docs.replace(APPOINTMENTS, a);
    return a;
  }
}
