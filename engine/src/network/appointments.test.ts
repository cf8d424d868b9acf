import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Actor } from '../domain/actor.js';
import { MemoryDocStore, type DocStore } from '../domain/docs.js';
import { SqliteDocStore } from '../domain/docs-sqlite.js';
import { MongoDocStore } from '../domain/docs-mongo.js';
import mongoose from 'mongoose';
import { freshDbUri } from '../../../test/support/mongo.js';
import { DomainError } from '../domain/errors.js';
import {
  AppointmentBook,
  APPOINTMENTS,
  loadNetwork,
  NETWORK_DOC_INDEXES,
  SLOTS,
  ZHUHAI_NETWORK_FILE,
  type NetworkFile,
  type SlotDoc,
} from './index.js';

// Monday 2026-11-23 08:00 CST
const T0 = Date.UTC(2026, 10, 23, 0, 0);
const DATE = '2026-11-24';

function zhuhaiWith(capacity: number): NetworkFile {
  const file: NetworkFile = JSON.parse(readFileSync(ZHUHAI_NETWORK_FILE, 'utf8'));
  file.venues.find((v) => v.id === 'zhuhai-centre')!.appointments = { capacity: { comprehensive: capacity } };
  return file;
}

const applicant = (userId: string): Actor => ({ userId, name: userId, role: 'applicant' });
const clerk: Actor = {
  userId: 'clerk-bj',
  name: '白蕉窗口',
  role: 'clerk',
  region: '440403102',
  venue: 'baijiao-centre',
};
const slot = { venue: 'zhuhai-centre', windowType: 'comprehensive', date: DATE, start: '09:30' };

async function hundredAtOnce(book: AppointmentBook) {
  const results = await Promise.all(
    Array.from({ length: 100 }, (_, i) =>
      book.book(applicant(`u${i}`), slot).then(
        () => 'ok',
        (err: unknown) => (err instanceof DomainError ? err.text.en : String(err)),
      ),
    ),
  );
  return { ok: results.filter((r) => r === 'ok').length, refused: results.filter((r) => r !== 'ok') };
}

describe('appointments', () => {
  let now = T0;
  const clock = () => now;
  const network = loadNetwork(zhuhaiWith(10));
  beforeEach(() => (now = T0));

  it('lists the day’s slots from the opening hours, with capacity from the venue settings', async () => {
    const book = new AppointmentBook({ docs: new MemoryDocStore(), network, clock });
    const slots = await book.listSlots({ venue: 'zhuhai-centre', windowType: 'comprehensive', date: DATE });
    expect(slots.map((s) => s.start)).toEqual([
      '09:00',
      '09:30',
      '10:00',
      '10:30',
      '11:00',
      '11:30',
      '14:00',
      '14:30',
      '15:00',
      '15:30',
      '16:00',
      '16:30',
      '17:00',
    ]);
    expect(slots[0]).toMatchObject({ capacity: 10, booked: 0, available: 10, bookable: true, end: '09:30' });
    // town centre hours and perWindow × windows (2 comprehensive windows × 2)
    const town = await book.listSlots({ venue: 'baijiao-centre', windowType: 'comprehensive', date: DATE });
    expect(town[0]).toMatchObject({ start: '08:30', capacity: 4 });
  });

  it('opens working days only, within the horizon; refuses venues without appointments and unknown window types', async () => {
    const book = new AppointmentBook({ docs: new MemoryDocStore(), network, clock });
    expect(
      await book.listSlots({ venue: 'zhuhai-centre', windowType: 'comprehensive', date: '2026-11-28' }),
    ).toEqual([]); // Saturday
    expect(
      await book.listSlots({ venue: 'zhuhai-centre', windowType: 'comprehensive', date: '2026-11-20' }),
    ).toEqual([]); // past
    expect(
      await book.listSlots({ venue: 'zhuhai-centre', windowType: 'comprehensive', date: '2027-01-20' }),
    ).toEqual([]); // beyond 10 working days
    expect(
      (await book.listSlots({ venue: 'zhuhai-centre', windowType: 'comprehensive', date: '2026-12-07' }))
        .length,
    ).toBeGreaterThan(0);
    await expect(
      book.listSlots({ venue: 'baijiao-001-station', windowType: 'comprehensive', date: DATE }),
    ).rejects.toThrow(/takes no appointments/);
    await expect(
      book.listSlots({ venue: 'zhuhai-centre', windowType: 'delivery', date: DATE }),
    ).rejects.toThrow(/no bookable/);
    await expect(
      book.listSlots({ venue: 'zhuhai-centre', windowType: 'comprehensive', date: '2026-02-30' }),
    ).rejects.toThrow(/YYYY-MM-DD/);
  });

  it('books, shows it in “my appointments” and in the slot, refuses the same applicant twice, cancels', async () => {
    const docs = new MemoryDocStore();
    const book = new AppointmentBook({ docs, network, clock });
    const a = await book.book(applicant('zhang'), { ...slot, bundleCode: 'business-startup' });
    expect(a).toMatchObject({
      venue: 'zhuhai-centre',
      windowType: 'comprehensive',
      date: DATE,
      start: '09:30',
      end: '10:00',
      status: 'booked',
      userId: 'zhang',
    });
    expect(a.id.startsWith(`${a.slotId}.`)).toBe(true);
    await expect(book.book(applicant('zhang'), slot)).rejects.toThrow(/already hold/);
    expect((await book.listSlots({ ...slot }))[1]).toMatchObject({ booked: 1, available: 9 });
    expect((await book.listMine(applicant('zhang'))).map((x) => x.id)).toEqual([a.id]);
    await expect(book.cancel(applicant('li'), a.id)).rejects.toThrow(/does not exist/);
    const cancelled = await book.cancel(applicant('zhang'), a.id);
    expect(cancelled.status).toBe('cancelled');
    expect((await book.listSlots({ ...slot }))[1]).toMatchObject({ booked: 0, available: 10 });
    expect((await book.cancel(applicant('zhang'), a.id)).status).toBe('cancelled'); // idempotent
    // a clerk books for an applicant (phone, 12345), a venue that does not take the bundle refuses
    expect(await book.book(clerk, { ...slot, userId: 'wang' })).toMatchObject({ userId: 'wang' });
    await expect(book.book(clerk, slot)).rejects.toThrow(/needs their account/);
    await expect(
      book.book(applicant('zhao'), { ...slot, venue: 'jida-centre', bundleCode: 'business-startup' }),
    ).rejects.toThrow(/does not receive/);
  });

  it('refuses slots that have begun, and cancelling once the slot has begun', async () => {
    const book = new AppointmentBook({ docs: new MemoryDocStore(), network, clock });
    const a = await book.book(applicant('zhang'), slot);
    now = Date.UTC(2026, 10, 24, 1, 31); // 09:31 CST on the day
    await expect(book.book(applicant('li'), slot)).rejects.toThrow(/already begun/);
    expect((await book.listSlots(slot))[1]!.bookable).toBe(false);
    await expect(book.cancel(applicant('zhang'), a.id)).rejects.toThrow(/has begun/);
  });

  it('marks unused bookings as no-shows after the slot and suspends booking after three in 30 days', async () => {
    const docs = new MemoryDocStore();
    const book = new AppointmentBook({ docs, network, clock });
    for (const start of ['09:00', '09:30', '10:00']) await book.book(applicant('late'), { ...slot, start });
    now = Date.UTC(2026, 10, 24, 8, 0); // 16:00 CST
    expect(await book.markNoShows(DATE)).toBe(3);
    expect((await docs.find(APPOINTMENTS, { where: { userId: 'late', status: 'noShow' } })).length).toBe(3);
    await expect(book.book(applicant('late'), { ...slot, date: '2026-11-25' })).rejects.toThrow(
      /missed appointments/,
    );
    expect(await book.markNoShows(DATE)).toBe(0);
  });

  /** A tick after midnight, or the first after days down, marks the earlier days too; only ended slots. */
  async function checkSweepOfEarlierDays(docs: DocStore) {
    const book = new AppointmentBook({ docs, network, clock });
    const tuesday = await book.book(applicant('late'), slot);
    const wednesday = await book.book(applicant('late'), { ...slot, date: '2026-11-25', start: '17:00' });
    const friday = await book.book(applicant('early'), { ...slot, date: '2026-11-27' });
    const cancelled = await book.book(applicant('other'), { ...slot, date: '2026-11-25' });
    await book.cancel(applicant('other'), cancelled.id);
    now = Date.UTC(2026, 10, 25, 16, 5); // Thursday 00:05 CST: the server was down on Wednesday evening
    expect(await book.markNoShows()).toBe(2);
    const status = async (id: string) => (await book.get(clerk, id)).status;
    expect([await status(tuesday.id), await status(wednesday.id)]).toEqual(['noShow', 'noShow']);
    expect(await status(cancelled.id)).toBe('cancelled');
    // Friday's slot: not during it, nor within the 15 minutes' lateness allowance after it
    now = Date.UTC(2026, 10, 27, 2, 14); // Friday 10:14 CST, the 09:30–10:00 slot ended 14 minutes ago
    expect(await book.markNoShows()).toBe(0);
    expect(await status(friday.id)).toBe('booked');
    now = Date.UTC(2026, 10, 27, 2, 16);
    expect(await book.markNoShows()).toBe(1);
    expect(await status(friday.id)).toBe('noShow');
    expect(await book.markNoShows()).toBe(0);
  }

  it('a sweep after midnight or after days down marks the earlier days’ unused bookings (memory DocStore)', async () => {
    await checkSweepOfEarlierDays(new MemoryDocStore());
  });

  it('a sweep after midnight or after days down marks the earlier days’ unused bookings (SQLite DocStore)', async () => {
    const docs = new SqliteDocStore(':memory:', NETWORK_DOC_INDEXES);
    try {
      await checkSweepOfEarlierDays(docs);
    } finally {
      docs.close();
    }
  });

  it('a sweep after midnight or after days down marks the earlier days’ unused bookings (MongoDB DocStore)', async () => {
    const connection = await mongoose.createConnection(freshDbUri('network_no_shows')).asPromise();
    try {
      await checkSweepOfEarlierDays(new MongoDocStore(connection, NETWORK_DOC_INDEXES));
    } finally {
      await connection.dropDatabase().catch(() => undefined);
      await connection.close();
    }
  }, 60_000);

  it('the sweep reads the booked appointments page by page: more than a page of them are all marked', async () => {
    const book = new AppointmentBook({ docs: new MemoryDocStore(), network, clock });
    const starts = [
      '09:00',
      '09:30',
      '10:00',
      '10:30',
      '11:00',
      '11:30',
      '14:00',
      '14:30',
      '15:00',
      '15:30',
      '16:00',
    ];
    for (const start of starts) {
      for (let i = 0; i < 10; i++) await book.book(applicant(`u${start}.${i}`), { ...slot, start });
    }
    await book.book(applicant('later'), { ...slot, date: '2026-11-26' });
    now = Date.UTC(2026, 10, 25, 1, 0); // the next morning
    expect(await book.markNoShows()).toBe(110);
    expect(await book.markNoShows()).toBe(0);
  });

  it('the sweep mends an appointment record left “booked” when its slot says otherwise', async () => {
    const docs = new MemoryDocStore();
    const book = new AppointmentBook({ docs, network, clock });
    const a = await book.book(applicant('zhang'), slot);
    await book.cancel(applicant('zhang'), a.id);
    await docs.replace(APPOINTMENTS, { ...(await book.get(clerk, a.id)), status: 'booked' }); // a lost write
    now = Date.UTC(2026, 10, 25, 2, 0);
    expect(await book.markNoShows()).toBe(0);
    expect((await book.get(clerk, a.id)).status).toBe('cancelled');
  });

  it('a no-show or cancelled appointment cannot be used on arrival: the problem names it and its state', async () => {
    const book = new AppointmentBook({ docs: new MemoryDocStore(), network, clock });
    const missed = await book.book(applicant('late'), slot);
    const cancelled = await book.book(applicant('other'), slot);
    await book.cancel(applicant('other'), cancelled.id);
    now = Date.UTC(2026, 10, 24, 2, 16); // 10:16 CST: the 09:30–10:00 slot and 15 minutes after it are past
    expect(await book.markNoShows()).toBe(1);
    const refusal = (id: string) =>
      book.arrive(id, 'zhuhai-centre', `${id}.ticket`).then(
        () => undefined,
        (err: DomainError) => ({ code: err.code, ...err.text }),
      );
    expect(await refusal(missed.id)).toEqual({
      code: 'stateInvalid',
      zh: expect.stringMatching(new RegExp(`^预约 ${missed.id}（2026-11-24 09:30–10:00）已记为爽约.*普通号`)),
      en: expect.stringMatching(
        new RegExp(
          `^appointment ${missed.id} \\(2026-11-24 09:30–10:00\\) was marked a no-show.*ordinary ticket`,
        ),
      ),
    });
    expect((await book.get(clerk, missed.id)).status).toBe('noShow');
    expect(await refusal(cancelled.id)).toEqual({
      code: 'stateInvalid',
      zh: expect.stringMatching(new RegExp(`^预约 ${cancelled.id}（2026-11-24 09:30–10:00）已取消`)),
      en: expect.stringMatching(
        new RegExp(`^appointment ${cancelled.id} \\(2026-11-24 09:30–10:00\\) was cancelled`),
      ),
    });
  });

  async function checkHundred(docs: DocStore) {
    const book = new AppointmentBook({ docs, network, clock });
    const { ok, refused } = await hundredAtOnce(book);
    expect(ok).toBe(10);
    expect(refused).toHaveLength(90);
    expect(new Set(refused)).toEqual(new Set(['this slot is fully booked']));
    const stored = (await docs.get<SlotDoc>(SLOTS, `zhuhai-centre.comprehensive.20261124.0930`))!;
    expect(stored.bookings).toHaveLength(10);
    expect(new Set(stored.bookings.map((b) => b.userId)).size).toBe(10);
    expect((await book.listSlots(slot))[1]).toMatchObject({ booked: 10, available: 0, bookable: false });
  }

  it('100 concurrent bookings for a slot of capacity 10: exactly 10 succeed (memory DocStore)', async () => {
    await checkHundred(new MemoryDocStore());
  });

  describe('on SQLite', () => {
    let dir: string;
    beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'onething-appointments-'))));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('100 concurrent bookings for a slot of capacity 10: exactly 10 succeed (SQLite DocStore)', async () => {
      const docs = new SqliteDocStore(join(dir, 'one.sqlite'), NETWORK_DOC_INDEXES);
      try {
        await checkHundred(docs);
      } finally {
        docs.close();
      }
    });

    it('four processes, each with its own connection, 25 bookings each at once: exactly 10 succeed', async () => {
      const file = join(dir, 'multi.sqlite');
      const networkFile = join(dir, 'network.json');
      writeFileSync(networkFile, JSON.stringify(zhuhaiWith(10)));
      new SqliteDocStore(file, NETWORK_DOC_INDEXES).close();
      const worker = fileURLToPath(new URL('./testing/book-worker.ts', import.meta.url));
      const tsx = fileURLToPath(new URL('../../../node_modules/.bin/tsx', import.meta.url));
      const run = promisify(execFile);
      const outputs = await Promise.all(
        [0, 1, 2, 3].map((w) =>
          run(tsx, [worker, file, networkFile, String(T0), String(w), '25', DATE, '09:30'], {
            timeout: 60_000,
          }),
        ),
      );
      const results = outputs.map((o) => JSON.parse(o.stdout) as { ok: number; refused: string[] });
      expect(results.reduce((n, r) => n + r.ok, 0)).toBe(10);
      expect(results.flatMap((r) => r.refused).every((code) => code === 'stateInvalid')).toBe(true);
      const docs = new SqliteDocStore(file, NETWORK_DOC_INDEXES);
      try {
        const stored = (await docs.get<SlotDoc>(SLOTS, `zhuhai-centre.comprehensive.20261124.0930`))!;
        expect(stored.bookings).toHaveLength(10);
      } finally {
        docs.close();
      }
    }, 90_000);
  });

  it('100 concurrent bookings for a slot of capacity 10: exactly 10 succeed (MongoDB DocStore)', async () => {
    const connection = await mongoose.createConnection(freshDbUri('network_appointments')).asPromise();
    try {
      await checkHundred(new MongoDocStore(connection, NETWORK_DOC_INDEXES));
    } finally {
      await connection.dropDatabase().catch(() => undefined);
      await connection.close();
    }
  }, 60_000);
});
