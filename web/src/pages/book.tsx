/**
 * 统一预约 for a signed-in applicant, reached from a venue in the public guide
 * (/my?book=<venue>&bundle=<code>): the window type, one of the next days, a slot with room, book.
 * The server keeps slots from overbooking; the applicant's bookings are listed below.
 */
import { useState } from 'react';
import { useApp } from '../context.js';
import { ErrorBanner, Loading, Section, useCommand, useLoad } from '../components/common.js';

/** The next `n` calendar days from tomorrow, as YYYY-MM-DD in China Standard Time. */
function nextDays(n: number): string[] {
  const today = Date.now() + 8 * 3600_000;
  return Array.from({ length: n }, (_, i) =>
    new Date(today + (i + 1) * 86_400_000).toISOString().slice(0, 10),
  );
}

export function BookAppointment({ venue, bundle }: { venue: string; bundle: string }) {
  const { api, t, tx } = useApp();
  const venues = useLoad(() => api.venues(bundle), [bundle]);
  const mine = useLoad(() => api.appointments(), []);
  const here = venues.data?.find((v) => v.id === venue);
  const [windowType, setWindowType] = useState('');
  const [date, setDate] = useState('');
  const type = windowType || here?.windowTypes[0] || '';
  const slots = useLoad(
    () => (type && date ? api.slots(venue, type, date) : Promise.resolve([])),
    [venue, type, date],
  );
  const { busy, error, run } = useCommand();
  // Window types come from the deployment's network file: a code without a label shows as itself.
  const windowName = (code: string) =>
    t(`window.${code}`) === `window.${code}` ? code : t(`window.${code}`);
  if (venues.loading) return <Loading />;
  if (venues.error) return <ErrorBanner error={venues.error} />;
  if (!here?.appointments) return <p className="warn">{t('book.unknownVenue')}</p>;
  return (
    <Section title={`${t('book.title')} · ${tx(here.name)}`}>
      <div data-testid="book">
        <label>
          {t('book.windowType')}
          <select name="windowType" value={type} onChange={(e) => setWindowType(e.target.value)}>
            {here.windowTypes.map((w) => (
              <option key={w} value={w}>
                {windowName(w)}
              </option>
            ))}
          </select>
        </label>
        <div className="choice-row" role="group" aria-label={t('book.day')}>
          {nextDays(10).map((d) => (
            <button
              key={d}
              type="button"
              data-date={d}
              aria-pressed={d === date}
              className={d === date ? 'primary' : ''}
              onClick={() => setDate(d)}
            >
              {d.slice(5)}
            </button>
          ))}
        </div>
        {date && slots.loading && <Loading />}
        <ErrorBanner error={slots.error ?? error} />
        {date && !slots.loading && (slots.data ?? []).length === 0 && (
          <p className="muted" data-testid="no-slots">
            {t('book.closed')}
          </p>
        )}
        <ul className="slots">
          {(slots.data ?? []).map((s) => (
            <li key={s.id} data-slot={s.start}>
              {s.start}–{s.end} · {t('book.left', { n: s.available })}{' '}
              <button
                type="button"
                disabled={busy || !s.bookable}
                onClick={() =>
                  run(async () => {
                    await api.book({ venue, windowType: type, date, start: s.start, bundleCode: bundle });
                    slots.reload();
                    mine.reload();
                  })
                }
              >
                {t('book.book')}
              </button>
            </li>
          ))}
        </ul>
        <h3>{t('book.mine')}</h3>
        <ul data-testid="my-appointments">
          {(mine.data ?? [])
            .filter((a) => a.status === 'booked')
            .map((a) => (
              <li key={a.id} data-appointment={a.id}>
                {a.date} {a.start}–{a.end} · {a.venue === venue ? tx(here.name) : a.venue} ·{' '}
                {windowName(a.windowType)}
              </li>
            ))}
        </ul>
      </div>
    </Section>
  );
}
