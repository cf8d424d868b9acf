import type { Actor } from '../domain/actor.js';
import { MemoryDocStore, type Doc } from '../domain/docs.js';
import {
  AppointmentBook,
  loadNetworkFile,
  QueueDesk,
  TICKETS,
  ZHUHAI_NETWORK_FILE,
  type Ticket,
} from './index.js';

// Tuesday 2026-11-24 08:50 CST
const T0 = Date.UTC(2026, 10, 24, 0, 50);
const MINUTE = 60_000;
const network = loadNetworkFile(ZHUHAI_NETWORK_FILE);

const clerk = (userId: string, venue = 'xiangzhou-centre'): Actor => ({
  userId,
  name: userId,
  role: 'clerk',
  region: '440402',
  venue,
});
const door = clerk('door');
const supervisor: Actor = { userId: 'sup', name: '监察', role: 'supervisor', region: '440400' };

/** A store whose ticket writes take a while, as over a connection pool (MongoDB, SQLite). */
class SlowTicketStore extends MemoryDocStore {
  override async put<T extends Doc>(collection: string, doc: T, expectedRev: number): Promise<T> {
    if (collection === TICKETS) await new Promise((resolve) => setTimeout(resolve, 20));
    return super.put(collection, doc, expectedRev);
  }
}

function setup(docs = new MemoryDocStore()) {
  let now = T0;
  const clock = () => now;
  const appointments = new AppointmentBook({ docs, network, clock: () => T0 - 86_400_000 });
  const desk = new QueueDesk({
    docs,
    network,
    appointments: new AppointmentBook({ docs, network, clock }),
    clock,
  });
  return {
    docs,
    desk,
    appointments,
    advance: (minutes: number) => (now += minutes * MINUTE),
    now: () => now,
  };
}

describe('queue tickets', () => {
  it('numbers tickets per venue, window type and day with the type’s prefix', async () => {
    const { desk } = setup();
    const a1 = await desk.issue(door, { venue: 'xiangzhou-centre', windowType: 'comprehensive' });
    const a2 = await desk.issue(door, { venue: 'xiangzhou-centre', windowType: 'comprehensive' });
    const b1 = await desk.issue(door, { venue: 'xiangzhou-centre', windowType: 'enterprise' });
    expect([a1.number, a2.number, b1.number]).toEqual(['A001', 'A002', 'B001']);
    expect(a1).toMatchObject({ date: '2026-11-24', status: 'waiting', priority: 'normal' });
    const other = await desk.issue(clerk('dm', 'doumen-centre'), {
      venue: 'doumen-centre',
      windowType: 'comprehensive',
    });
    expect(other.number).toBe('A001');
  });

  it('refuses clerks of another venue, unknown window types, and non-clerks', async () => {
    const { desk } = setup();
    await expect(
      desk.issue(clerk('dm', 'doumen-centre'), { venue: 'xiangzhou-centre', windowType: 'comprehensive' }),
    ).rejects.toThrow(/another venue/);
    await expect(desk.issue(door, { venue: 'xiangzhou-centre', windowType: 'realty' })).rejects.toThrow(
      /no window of this type/,
    );
    await expect(
      desk.issue(
        { userId: 'a', name: 'a', role: 'applicant' },
        { venue: 'xiangzhou-centre', windowType: 'comprehensive' },
      ),
    ).rejects.toThrow(/clerk/);
  });

  it('calls green channel first, then appointments on time, then first come first served; records wait and service times', async () => {
    const { desk, appointments, advance } = setup();
    const booked = await appointments.book(
      { userId: 'liu', name: '刘', role: 'applicant' },
      { venue: 'xiangzhou-centre', windowType: 'comprehensive', date: '2026-11-24', start: '09:00' },
    );
    const walkIn1 = await desk.issue(door, { venue: 'xiangzhou-centre', windowType: 'comprehensive' });
    advance(1);
    const walkIn2 = await desk.issue(door, { venue: 'xiangzhou-centre', windowType: 'comprehensive' });
    advance(1);
    const withAppointment = await desk.issue(door, { venue: 'xiangzhou-centre', appointmentId: booked.id });
    advance(1);
    // born 1949: elderly by the resident ID (the ID itself is not kept)
    const elderly = await desk.issue(door, {
      venue: 'xiangzhou-centre',
      windowType: 'comprehensive',
      idNumber: '11010519491231002X',
    });
    advance(1);
    const disabled = await desk.issue(door, {
      venue: 'xiangzhou-centre',
      windowType: 'comprehensive',
      greenChannel: 'disabled',
    });
    expect(withAppointment).toMatchObject({
      priority: 'appointment',
      windowType: 'comprehensive',
      appointmentId: booked.id,
    });
    expect(elderly).toMatchObject({ priority: 'green', greenReason: 'elderly' });
    expect(JSON.stringify(elderly)).not.toContain('11010519491231002X');
    expect(walkIn1.priority).toBe('normal');
    // the same appointment cannot take a second ticket: the first one comes back
    expect((await desk.issue(door, { venue: 'xiangzhou-centre', appointmentId: booked.id })).id).toBe(
      withAppointment.id,
    );

    const order: string[] = [];
    const a01 = clerk('a01');
    advance(5);
    let call = await desk.callNext(a01, { venue: 'xiangzhou-centre', window: 'A01' });
    order.push(call.ticket!.number);
    for (let i = 0; i < 4; i++) {
      advance(10);
      call = await desk.callNext(a01, { venue: 'xiangzhou-centre', window: 'A01' });
      expect(call.finished?.status).toBe('served');
      order.push(call.ticket!.number);
    }
    expect(order).toEqual([
      elderly.number,
      disabled.number,
      withAppointment.number,
      walkIn1.number,
      walkIn2.number,
    ]);
    advance(10);
    const last = await desk.callNext(a01, { venue: 'xiangzhou-centre', window: 'A01' });
    expect(last.ticket).toBeNull();
    expect(last.finished).toMatchObject({ number: walkIn2.number, status: 'served', serviceMinutes: 10 });
    expect(last.finished!.waitMinutes).toBe(48);
  });

  it('one appointment scanned at two kiosks at once takes one ticket, however slow the store', async () => {
    const { desk, appointments, docs, advance } = setup(new SlowTicketStore());
    const booked = await appointments.book(
      { userId: 'liu', name: '刘', role: 'applicant' },
      { venue: 'xiangzhou-centre', windowType: 'comprehensive', date: '2026-11-24', start: '09:00' },
    );
    advance(20);
    const scans = await Promise.all(
      ['k1', 'k2', 'k3'].map((k) =>
        desk.issue(clerk(k), { venue: 'xiangzhou-centre', appointmentId: booked.id }),
      ),
    );
    expect(new Set(scans.map((s) => s.id)).size).toBe(1);
    expect(scans[0]).toMatchObject({ priority: 'appointment', appointmentId: booked.id });
    const stored = await docs.find<Ticket>(TICKETS, {
      where: { venue: 'xiangzhou-centre', date: '2026-11-24' },
    });
    expect(stored.map((x) => x.id)).toEqual([scans[0]!.id]);
    // a later scan gets it too, and the booking names it
    expect((await desk.issue(door, { venue: 'xiangzhou-centre', appointmentId: booked.id })).id).toBe(
      scans[0]!.id,
    );
    expect((await appointments.get(door, booked.id)).ticketId).toBe(scans[0]!.id);
  });

  it('an appointment marked a no-show takes no ticket (nor a number); the applicant takes an ordinary one', async () => {
    const { desk, appointments, docs, advance } = setup();
    const booked = await appointments.book(
      { userId: 'liu', name: '刘', role: 'applicant' },
      { venue: 'xiangzhou-centre', windowType: 'comprehensive', date: '2026-11-24', start: '09:00' },
    );
    advance(60); // 09:50: the 09:00–09:30 slot and its 15 minutes' lateness allowance are over
    const sweep = new AppointmentBook({ docs, network, clock: () => T0 + 60 * MINUTE });
    expect(await sweep.markNoShows()).toBe(1);
    await expect(desk.issue(door, { venue: 'xiangzhou-centre', appointmentId: booked.id })).rejects.toThrow(
      /was marked a no-show.*take an ordinary ticket/,
    );
    expect((await appointments.get(door, booked.id)).status).toBe('noShow');
    const ordinary = await desk.issue(door, { venue: 'xiangzhou-centre', windowType: 'comprehensive' });
    expect(ordinary).toMatchObject({ number: 'A001', priority: 'normal' });
  });

  it('a field window calls the comprehensive queue when its own is empty; two windows never get the same ticket', async () => {
    const { desk } = setup();
    for (let i = 0; i < 20; i++)
      await desk.issue(door, { venue: 'xiangzhou-centre', windowType: 'comprehensive' });
    const b = await desk.callNext(clerk('b01'), { venue: 'xiangzhou-centre', window: 'B01' });
    expect(b.ticket).toMatchObject({ windowType: 'comprehensive', window: 'B01' });
    const windows = ['A01', 'A02', 'A03', 'A04', 'B02'];
    const calls = await Promise.all(
      windows.flatMap((w) =>
        [0, 1].map(() => desk.callNext(clerk(w), { venue: 'xiangzhou-centre', window: w })),
      ),
    );
    const ids = calls.map((c) => c.ticket?.id).filter(Boolean);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBeGreaterThanOrEqual(5);
  });

  it('a no-show at the counter is recorded as such; finish ends service explicitly; tickets link to the case', async () => {
    const { desk, advance } = setup();
    const t1 = await desk.issue(door, { venue: 'xiangzhou-centre', windowType: 'social' });
    const t2 = await desk.issue(door, { venue: 'xiangzhou-centre', windowType: 'social' });
    const c01 = clerk('c01');
    await desk.callNext(c01, { venue: 'xiangzhou-centre', window: 'C01' });
    const next = await desk.callNext(c01, { venue: 'xiangzhou-centre', window: 'C01', previous: 'noShow' });
    expect(next.finished).toMatchObject({ id: t1.id, status: 'noShow' });
    expect(next.finished!.serviceMinutes).toBeUndefined();
    advance(7);
    expect(await desk.finish(c01, t2.id)).toMatchObject({ status: 'served', serviceMinutes: 7 });
    await expect(desk.finish(c01, t2.id, 'noShow')).rejects.toThrow(/not being served/);
    expect((await desk.link(c01, t2.id, 'app-1')).applicationId).toBe('app-1');
  });

  it('dashboard figures: per window type and venue — served, waiting, no-shows, average and longest wait, service time', async () => {
    const { desk, advance } = setup();
    await desk.issue(door, { venue: 'xiangzhou-centre', windowType: 'comprehensive' });
    await desk.issue(door, {
      venue: 'xiangzhou-centre',
      windowType: 'comprehensive',
      greenChannel: 'elderly' as const,
    });
    await desk.issue(door, { venue: 'xiangzhou-centre', windowType: 'enterprise' });
    await desk.issue(door, { venue: 'xiangzhou-centre', windowType: 'comprehensive' });
    const a01 = clerk('a01');
    advance(10);
    await desk.callNext(a01, { venue: 'xiangzhou-centre', window: 'A01' }); // green, waited 10
    advance(6);
    await desk.callNext(a01, { venue: 'xiangzhou-centre', window: 'A01' }); // served 6; next waited 16
    advance(4);
    await desk.callNext(a01, { venue: 'xiangzhou-centre', window: 'A01' }); // served 4; last waited 20
    const stats = await desk.stats(supervisor);
    const comprehensive = stats.byWindowType.find((f) => f.windowType === 'comprehensive')!;
    expect(comprehensive).toMatchObject({
      issued: 3,
      served: 2,
      inService: 1,
      waiting: 0,
      priorityServed: 1,
      averageWaitMinutes: 15.3,
      maxWaitMinutes: 20,
      averageServiceMinutes: 5,
    });
    expect(comprehensive.name.zh).toBe('无差别综合窗口');
    expect(stats.byWindowType.find((f) => f.windowType === 'enterprise')).toMatchObject({
      issued: 1,
      waiting: 1,
      averageWaitMinutes: null,
    });
    expect(stats.overall).toMatchObject({ issued: 4, served: 2 });
    expect(stats.byVenue).toEqual([expect.objectContaining({ venue: 'xiangzhou-centre', issued: 4 })]);
    // scoping: a Doumen supervisor sees none of it; a clerk sees their own venue
    const doumen = await desk.stats({ userId: 's2', name: 's2', role: 'supervisor', region: '440403' });
    expect(doumen.overall.issued).toBe(0);
    expect(doumen.venues).toContain('baijiao-centre');
    expect((await desk.stats(a01)).venues).toEqual(['xiangzhou-centre']);
    await expect(desk.stats(supervisor, { from: '2026-11-25', to: '2026-11-24' })).rejects.toThrow(
      /date range/,
    );
  });
});
