/**
 * 好差评: the applicant's evaluation, reached from the link or QR code on the delivery receipt
 * (channel qr/web), or on the window's evaluation device (channel window, the clerk's session).
 * Five levels, indicators per channel, tags and a comment; one evaluation per channel. A bad
 * review (levels 1–2) later shows where its rectification stands.
 */
import { useState } from 'react';
import type { Application, Evaluation } from '../api.js';
import { useApp } from '../context.js';
import {
  ErrorBanner,
  FieldError,
  formatTime,
  Loading,
  Section,
  useCommand,
  useLoad,
} from '../components/common.js';
import { useCatalogue } from '../components/catalogue.js';
import { LoginForm } from './login.js';
import { fieldMessage } from '../lib/problems.js';
import { evaluationTags, indicatorsFor } from '../lib/evaluation.js';
import { batchesOf } from '../lib/deliveries.js';
import type { RectificationView } from '../../../engine/src/applications/rectification.js';

const CHANNELS: Evaluation['channel'][] = ['window', 'web', 'app', 'sms', 'qr', 'kiosk', 'hotline'];

export function Evaluate({ id }: { id: string }) {
  const { session, t } = useApp();
  if (!session)
    return (
      <div className="page narrow">
        <p className="hint">{t('eval.loginHint')}</p>
        <LoginForm title={t('eval.loginTitle')} onDone={() => undefined} />
      </div>
    );
  if (session.user.role !== 'applicant' && session.user.role !== 'clerk')
    return <p className="warn">{t('eval.wrongRole')}</p>;
  return <EvaluateCase id={id} />;
}

function EvaluateCase({ id }: { id: string }) {
  const { api, session, t, tx, lang } = useApp();
  const { bundleName } = useCatalogue();
  const loaded = useLoad(() => api.application(id), [id]);
  const [saved, setSaved] = useState<Application | null>(null);
  const requested = new URLSearchParams(location.search).get('channel') as Evaluation['channel'] | null;
  const channel: Evaluation['channel'] =
    session!.user.role === 'clerk'
      ? 'window'
      : requested && CHANNELS.includes(requested) && requested !== 'window'
        ? requested
        : 'web';
  const [level, setLevel] = useState<number | null>(null);
  const [indicators, setIndicators] = useState<Record<string, number>>({});
  const [tags, setTags] = useState<string[]>([]);
  const [comment, setComment] = useState('');
  const [localError, setLocalError] = useState<string>();
  const { busy, error, run } = useCommand();
  const app = saved ?? loaded.data;
  if (loaded.loading && !app) return <Loading />;
  if (loaded.error && !app) return <ErrorBanner error={loaded.error} />;
  if (!app) return null;
  const mine = app.evaluations.find((e) => e.channel === channel);
  const ready = app.status === 'delivered' || app.status === 'evaluated';
  const tagList = level === null ? [] : evaluationTags(level);
  const submit = () => {
    if (level === null) {
      setLocalError(t('eval.pickLevel'));
      return;
    }
    setLocalError(undefined);
    const chosen = tagList.filter((x) => tags.includes(x.id)).map((x) => tx(x.label));
    const text = [chosen.length ? `【${chosen.join('、')}】` : '', comment.trim()].filter(Boolean).join(' ');
    return run(async () =>
      setSaved(
        await api.evaluate(app.id, { channel, level, indicators, ...(text ? { comment: text } : {}) }),
      ),
    );
  };
  return (
    <div className="page narrow evaluate">
      <h1>{t('eval.title')}</h1>
      <Section title={`${bundleName(app.bundleCode)} · ${app.number}`}>
        <p className="muted small">
          {t('eval.channel')}：{t(`channel.${channel}`)}
          {app.delivery && batchesOf(app).length <= 1 && (
            <>
              {' · '}
              {t('detail.deliveredAt', {
                time: formatTime(app.deliveredAt),
                channel: t(`channel.${app.delivery.channel}`),
              })}
            </>
          )}
        </p>
        <Handovers app={app} />
        {!ready && <p className="warn">{t('eval.notReady')}</p>}
        {mine && (
          <div className="ok-banner" role="status" data-testid="evaluation-done">
            <strong>{t('eval.thanks')}</strong> {t(`eval.level.${mine.level}`)} · {formatTime(mine.at)}
            {mine.comment && <p>{mine.comment}</p>}
            {mine.rectification && <Rectification of={mine.rectification} />}
          </div>
        )}
        {ready && !mine && (
          <>
            <fieldset className="levels" aria-describedby="level-error">
              <legend>{t('eval.level')}</legend>
              {[5, 4, 3, 2, 1].map((l) => (
                <label key={l} className={`level level-${l}${level === l ? ' chosen' : ''}`}>
                  <input
                    type="radio"
                    name="level"
                    value={l}
                    checked={level === l}
                    onChange={() => (setLevel(l), setTags([]), setLocalError(undefined))}
                  />
                  <span className="stars" aria-hidden="true">
                    {'★'.repeat(l)}
                    {'☆'.repeat(5 - l)}
                  </span>
                  {t(`eval.level.${l}`)}
                </label>
              ))}
            </fieldset>
            <FieldError
              id="level-error"
              message={localError ?? fieldMessage(error?.fieldErrors ?? [], 'level', lang)}
            />
            <fieldset className="indicators">
              <legend>{t('eval.indicators')}</legend>
              {indicatorsFor(channel).map((ind) => (
                <label key={ind.id} className="indicator">
                  <span>{tx(ind.label)}</span>
                  <select
                    name={`indicator-${ind.id}`}
                    value={indicators[ind.id] ?? ''}
                    onChange={(e) =>
                      setIndicators({
                        ...indicators,
                        ...(e.target.value ? { [ind.id]: Number(e.target.value) } : {}),
                      })
                    }
                  >
                    <option value="">—</option>
                    {[5, 4, 3, 2, 1].map((l) => (
                      <option key={l} value={l}>
                        {l} · {t(`eval.level.${l}`)}
                      </option>
                    ))}
                  </select>
                </label>
              ))}
            </fieldset>
            {tagList.length > 0 && (
              <fieldset className="tags-pick">
                <legend>{t('eval.tags')}</legend>
                {tagList.map((x) => (
                  <label key={x.id} className={`chip${tags.includes(x.id) ? ' chosen' : ''}`}>
                    <input
                      type="checkbox"
                      checked={tags.includes(x.id)}
                      onChange={(e) =>
                        setTags(e.target.checked ? [...tags, x.id] : tags.filter((y) => y !== x.id))
                      }
                    />
                    {tx(x.label)}
                  </label>
                ))}
              </fieldset>
            )}
            <label>
              {t('eval.comment')}
              <textarea
                name="comment"
                rows={3}
                maxLength={1900}
                value={comment}
                onChange={(e) => setComment(e.target.value)}
              />
            </label>
            <ErrorBanner error={error} />
            <div className="actions">
              <button
                type="button"
                className="primary"
                onClick={submit}
                disabled={busy}
                data-testid="submit-evaluation"
              >
                {busy ? t('common.working') : t('eval.submit')}
              </button>
            </div>
            <p className="muted small">{t('eval.voluntary')}</p>
          </>
        )}
      </Section>
    </div>
  );
}

/**
 * 分批出件: what each batch handed over and when, as the delivery receipt lists it, so the
 * applicant rates the whole service and not only its last handover. A single delivery is said
 * in one line above.
 */
function Handovers({ app }: { app: Application }) {
  const { t, tx } = useApp();
  const batches = batchesOf(app);
  if (batches.length <= 1) return null;
  const itemName = (code: string) => {
    const item = app.items.find((i) => i.item === code);
    return item ? tx(item.name) : code;
  };
  return (
    <>
      <p>{t('eval.batches', { n: batches.length })}</p>
      <ol className="handovers" data-testid="handovers">
        {batches.map((b) => (
          <li key={b.batch} data-batch={b.batch}>
            {t('eval.batch', {
              batch: t('detail.inBatch', { n: b.batch, time: formatTime(b.at) }),
              channel: t(`channel.${b.channel}`),
              items: b.items.map(itemName).join('、'),
            })}
          </li>
        ))}
      </ol>
    </>
  );
}

/**
 * Where the bad review's rectification stands (the status the case keeps on the evaluation) and,
 * once the department has fed back, what it found and did — read from the case itself.
 */
function Rectification({ of }: { of: NonNullable<Evaluation['rectification']> }) {
  const { api, t, tx } = useApp();
  const fedBack = of.status === 'fedBack' || of.status === 'closed';
  const found = useLoad(
    async () =>
      fedBack && of.caseId
        ? api.request<RectificationView>('GET', `/api/rectifications/${encodeURIComponent(of.caseId)}`)
        : undefined,
    [of.caseId, fedBack],
  );
  const feedback = found.data?.feedback;
  return (
    <div data-testid="rectification" data-status={of.status}>
      <p>
        {t('eval.rectification')}：<strong>{t(`rect.${of.status}`)}</strong> ·{' '}
        {t('eval.rectificationDue', { date: formatTime(of.dueAt, false) })}
      </p>
      {feedback && (
        <p data-testid="rectification-feedback">
          {tx({ zh: '处理反馈', en: 'Feedback' })}：{feedback.message}
          {feedback.measures && (
            <>
              <br />
              {tx({ zh: '整改措施', en: 'Measures taken' })}：{feedback.measures}
            </>
          )}
        </p>
      )}
    </div>
  );
}
