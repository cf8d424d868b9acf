/** Small building blocks: loading and error states, time-limit badges, dates, status names. */
import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import { useApp } from '../context.js';
import { asApiError, type ApiError } from '../lib/problems.js';
import { remainingText, timeStatusStyle } from '../lib/time-status.js';

/** Loads data when the inputs change; `reload` fetches again. */
export function useLoad<T>(
  load: () => Promise<T>,
  deps: unknown[],
): { data: T | undefined; error: ApiError | null; loading: boolean; reload: () => void } {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<ApiError | null>(null);
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  const latest = useRef(0);
  useEffect(() => {
    const run = ++latest.current;
    setLoading(true);
    load().then(
      (d) => {
        if (run !== latest.current) return;
        setData(d);
        setError(null);
        setLoading(false);
      },
      (e: unknown) => {
        if (run !== latest.current) return;
        setError(asApiError(e));
        setLoading(false);
      },
    );
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((n) => n + 1), []);
  return { data, error, loading, reload };
}

/** Runs a command once at a time; `busy` disables its button, `error` holds the problem. */
export function useCommand(): {
  busy: boolean;
  error: ApiError | null;
  setError: (e: ApiError | null) => void;
  run: <T>(command: () => Promise<T>) => Promise<T | undefined>;
} {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const running = useRef(false);
  const run = useCallback(async <T,>(command: () => Promise<T>) => {
    if (running.current) return undefined;
    running.current = true;
    setBusy(true);
    setError(null);
    try {
      return await command();
    } catch (e) {
      setError(asApiError(e));
      return undefined;
    } finally {
      running.current = false;
      setBusy(false);
    }
  }, []);
  return { busy, error, setError, run };
}

export function Loading({ label }: { label?: string }) {
  const { t } = useApp();
  return (
    <p className="loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" /> {label ?? t('common.loading')}
    </p>
  );
}

/** The problem's summary; field messages no field on the page shows are listed under it. */
export function ErrorBanner({ error, showFields = true }: { error: ApiError | null; showFields?: boolean }) {
  const { lang } = useApp();
  if (!error) return null;
  const fields = showFields ? error.fieldErrors : [];
  return (
    <div className="error-banner" role="alert">
      <strong>{error.summary(lang)}</strong>
      {fields.length > 0 && (
        <ul>
          {fields.map((f, i) => (
            <li key={i}>
              {f.label ? `${f.label[lang]}：` : ''}
              {f.message[lang]}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function FieldError({ message, id }: { message: string | undefined; id?: string }) {
  if (!message) return null;
  return (
    <div className="field-error" id={id} role="alert">
      {message}
    </div>
  );
}

export function TimeBadge({ status, remaining }: { status: string | undefined; remaining?: number }) {
  const { t } = useApp();
  const style = timeStatusStyle(status);
  const r = remainingText(remaining);
  return (
    <span className={`badge ${style.className}`} data-time-status={status ?? 'none'}>
      <span className="dot" aria-hidden="true" />
      {t(style.label)}
      {remaining !== undefined && (
        <span className="badge-sub"> · {t(r.key, r.n !== undefined ? { n: r.n } : undefined)}</span>
      )}
    </span>
  );
}

/**
 * A deadline: the server gives the exclusive end (00:00 CST of the next day), so the last day
 * is shown with 24:00, as notices state it ("2026-11-26 24:00").
 */
export function formatDeadline(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '—';
  const iso = new Date(ms + 8 * 3600_000).toISOString();
  if (iso.slice(11, 16) === '00:00')
    return `${new Date(ms - 1 + 8 * 3600_000).toISOString().slice(0, 10)} 24:00`;
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)}`;
}

/** 'YYYY-MM-DD HH:mm' in China Standard Time. */
export function formatTime(ms: number | undefined, withTime = true): string {
  if (ms === undefined || !Number.isFinite(ms)) return '—';
  const iso = new Date(ms + 8 * 3600_000).toISOString();
  return withTime ? `${iso.slice(0, 10)} ${iso.slice(11, 16)}` : iso.slice(0, 10);
}

export function StatusTag({ status }: { status: string }) {
  const { t } = useApp();
  return <span className={`status status-${status}`}>{t(`status.${status}`)}</span>;
}

export function Section({
  title,
  children,
  actions,
}: {
  title: ReactNode;
  children: ReactNode;
  actions?: ReactNode;
}) {
  return (
    <section className="card">
      <header className="card-head">
        <h2>{title}</h2>
        {actions && <div className="card-actions">{actions}</div>}
      </header>
      {children}
    </section>
  );
}

/** A row of tabs (ARIA tablist): one button per key, the current one marked; `data-tab` names it for tests. */
export function Tabs<K extends string>({
  keys,
  current,
  onSelect,
  label,
}: {
  keys: readonly K[];
  current: K;
  onSelect: (key: K) => void;
  label: (key: K) => ReactNode;
}) {
  return (
    <div className="tabs" role="tablist">
      {keys.map((k) => (
        <button
          key={k}
          type="button"
          role="tab"
          aria-selected={current === k}
          className={current === k ? 'active' : ''}
          onClick={() => onSelect(k)}
          data-tab={k}
        >
          {label(k)}
        </button>
      ))}
    </div>
  );
}
