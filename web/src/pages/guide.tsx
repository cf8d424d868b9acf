/**
 * 办事指南 (一次告知), public: no sign-in. The list of bundles, and per bundle the complete guide
 * for the visitor's situation answers — items with conditions, deciding department and level,
 * time limits and fees; one list of materials (original or copy, and what an e-licence, shared
 * data, a signed commitment or 容缺 can stand in for); the venues that receive it with address,
 * hours and appointments. Everything comes from GET /api/guides (engine/src/network/guide.ts);
 * the answers live in the URL so a guide can be bookmarked, shared and printed.
 */
import type { Guide, GuideQuestion, GuideRefusal, GuideRefused } from '../../../engine/src/network/guide.js';
import type { Fee } from '../../../engine/src/network/types.js';
import { Link } from '../app.js';
import { useApp } from '../context.js';
import { ErrorBanner, Loading, Section, useLoad } from '../components/common.js';
import { navigate, useLocation } from '../router.js';

type Answers = Record<string, unknown>;

export function GuideList() {
  const { api, t, tx } = useApp();
  const bundles = useLoad(() => api.guides(), []);
  return (
    <div className="page">
      <h1>{t('guide.title')}</h1>
      <p className="hint">{t('guide.intro')}</p>
      {bundles.loading && <Loading />}
      <ErrorBanner error={bundles.error} />
      <div className="bundle-grid" data-testid="guide-bundles">
        {(bundles.data ?? []).map((b) => (
          <Link key={b.code} href={`/guide/${encodeURIComponent(b.code)}`} className="bundle-card">
            <strong data-bundle={b.code}>{tx(b.name)}</strong>
            <span className="muted small">
              {t('wizard.itemsCount', { n: b.items.length })} · {t('wizard.promised', { n: b.promisedDays })}
            </span>
            <span className="small">{b.items.map((i) => tx(i.name)).join('、')}</span>
          </Link>
        ))}
      </div>
    </div>
  );
}

function answersFrom(search: URLSearchParams): Answers {
  try {
    const parsed: unknown = JSON.parse(search.get('answers') ?? '{}');
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Answers) : {};
  } catch {
    return {};
  }
}

export function GuidePage({ code }: { code: string }) {
  const { api, t, tx } = useApp();
  const { search } = useLocation();
  const answers = answersFrom(search);
  const key = JSON.stringify(answers);
  const loaded = useLoad(() => api.guide(code, answers), [code, key]);
  // The answers go into the URL (replace: a click is not a page to go back to).
  const answer = (id: string, value: unknown) => {
    const next = { ...answers, [id]: value };
    if (value === undefined) delete next[id];
    navigate(`/guide/${encodeURIComponent(code)}?answers=${encodeURIComponent(JSON.stringify(next))}`, {
      replace: true,
    });
  };
  const guide = loaded.data;
  if (!guide)
    return <div className="page">{loaded.error ? <ErrorBanner error={loaded.error} /> : <Loading />}</div>;
  const itemName = itemNamer(guide, tx);
  return (
    <div className="page guide" data-testid="guide">
      <div className="page-head">
        <h1>
          {t('guide.title')} · <span data-testid="guide-bundle">{tx(guide.bundle.name)}</span>
        </h1>
        <div className="card-actions no-print">
          <Link href="/guide">{t('guide.all')}</Link>
          <button type="button" onClick={() => window.print()}>
            {t('guide.print')}
          </button>
        </div>
      </div>
      <dl className="facts">
        <dt>{t('guide.lead')}</dt>
        <dd>{tx(guide.bundle.leadDepartment.name)}</dd>
        <dt>{t('guide.promised')}</dt>
        <dd>{t('wizard.promised', { n: guide.bundle.promisedDays })}</dd>
        <dt>{t('guide.version')}</dt>
        <dd className="small">
          v{guide.bundle.version} · {guide.generatedAt.slice(0, 10)}
        </dd>
      </dl>

      <Section title={t('guide.situation')}>
        <p className="hint">{t(guide.complete ? 'guide.complete' : 'guide.incomplete')}</p>
        <Refusals refusals={guide.refusals} />
        <div className="guide-questions" data-testid="guide-questions">
          {guide.questions.map((q) => (
            <Question key={q.id} question={q} value={answers[q.id]} onAnswer={(v) => answer(q.id, v)} />
          ))}
        </div>
        {loaded.loading && <Loading />}
      </Section>

      {guide.refused.length > 0 ? <Refused refused={guide.refused} /> : <ApplyLists guide={guide} />}

      <Section title={t('guide.venues', { n: guide.venues.length })}>
        <ul className="guide-venues" data-testid="guide-venues">
          {guide.venues.map((v) => (
            <li key={v.id} data-venue={v.id}>
              <strong>{tx(v.name)}</strong> <span className="tag">{tx(v.kindName)}</span>
              <div className="small">
                {tx(v.regionName)}
                {v.address ? ` · ${tx(v.address)}` : ''}
                {v.phone ? ` · ${t('guide.phone', { phone: v.phone })}` : ''}
              </div>
              <div className="small">
                {t('guide.hours', { hours: v.hours.map((h) => `${h.from}–${h.to}`).join('，') })} ·{' '}
                {v.wholeBundle
                  ? t('guide.wholeBundle')
                  : t('guide.someItems', { items: v.items.map(itemName).join('、') })}
                {v.receiveOnly ? ` · ${t('guide.receiveOnly')}` : ''}
              </div>
              {v.appointments && (
                <Link
                  className="no-print small"
                  href={`/my?book=${encodeURIComponent(v.id)}&bundle=${encodeURIComponent(code)}`}
                >
                  {t('guide.book')}
                </Link>
              )}
            </li>
          ))}
        </ul>
      </Section>
    </div>
  );
}

/** An item's name by its code, whether or not it applies to the answers. */
function itemNamer(guide: Guide, tx: ReturnType<typeof useApp>['tx']) {
  const all = [...guide.items, ...guide.notApplicable];
  return (code: string) => tx(all.find((i) => i.code === code)?.name) || code;
}

/** What the bundle cannot be applied for, told before the visitor answers anything. */
function Refusals({ refusals }: { refusals: GuideRefusal[] }) {
  const { t, tx } = useApp();
  if (!refusals.length) return null;
  return (
    <div className="warn" data-testid="guide-refusals">
      <strong>{t('guide.refusals')}</strong>
      <ul>
        {refusals.map((r, i) => (
          <li key={i}>
            {tx(r.message)}
            {r.questions.length > 0 && (
              <span className="muted small">
                {' '}
                {t('guide.refusalQuestions', { questions: r.questions.map((q) => tx(q.label)).join('、') })}
              </span>
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}

/** The answers fall into a refused situation: its message (naming the answers) instead of any list. */
function Refused({ refused }: { refused: GuideRefused[] }) {
  const { t, tx } = useApp();
  return (
    <div className="error-banner" role="alert" data-testid="guide-refused">
      <strong>{t('guide.refused')}</strong>
      <p>{t('guide.refusedHint')}</p>
      <ul>
        {refused.map((r, i) => (
          <li key={i}>{tx(r.message)}</li>
        ))}
      </ul>
    </div>
  );
}

/** The items to handle, the materials to bring and the fees, for answers that can be applied for. */
function ApplyLists({ guide }: { guide: Guide }) {
  const { t, tx } = useApp();
  const bring = guide.materials.filter((m) => m.bring);
  const notBring = guide.materials.filter((m) => !m.bring);
  const itemName = itemNamer(guide, tx);
  return (
    <>
      <Section title={t('guide.items', { n: guide.items.length })}>
        <table className="list" data-testid="guide-items">
          <thead>
            <tr>
              <th scope="col">{t('detail.item')}</th>
              <th scope="col">{t('detail.department')}</th>
              <th scope="col">{t('guide.conditions')}</th>
              <th scope="col">{t('guide.limits')}</th>
              <th scope="col">{t('guide.fee')}</th>
            </tr>
          </thead>
          <tbody>
            {guide.items.map((i) => (
              <tr key={i.code} data-item={i.code}>
                <td>
                  <strong>{tx(i.name)}</strong>
                  {i.after.length > 0 && (
                    <div className="muted small">
                      {t('guide.after', { items: i.after.map(itemName).join('、') })}
                    </div>
                  )}
                </td>
                <td>
                  {tx(i.department.name)}
                  <div className="muted small">
                    {tx(i.levelName)} · {t('guide.jurisdiction', { basis: tx(i.jurisdiction.name) })}
                  </div>
                </td>
                <td>
                  {i.conditions.length ? (
                    <ul className="small">
                      {i.conditions.map((c, n) => (
                        <li key={n}>{tx(c)}</li>
                      ))}
                    </ul>
                  ) : (
                    '—'
                  )}
                </td>
                <td data-promised={i.promisedDays}>
                  {t('wizard.promised', { n: i.promisedDays })}
                  {i.legalDays !== undefined && (
                    <div className="muted small">{t('guide.legalDays', { n: i.legalDays })}</div>
                  )}
                </td>
                <td>
                  <FeeText fee={i.fee} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {guide.notApplicable.length > 0 && (
          <p className="muted small" data-testid="guide-not-applicable">
            {t('guide.notApplicable', { items: guide.notApplicable.map((i) => tx(i.name)).join('、') })}
          </p>
        )}
      </Section>

      <Section title={t('guide.materials', { n: bring.length })}>
        <table className="list" data-testid="guide-materials">
          <thead>
            <tr>
              <th scope="col">{t('guide.material')}</th>
              <th scope="col">{t('guide.form')}</th>
              <th scope="col">{t('guide.forItems')}</th>
              <th scope="col">{t('guide.relief')}</th>
            </tr>
          </thead>
          <tbody>
            {bring.map((m) => (
              <tr key={m.id} data-material={m.id}>
                <td>
                  {tx(m.name)}
                  {m.required && <span className="required-mark"> *</span>}
                </td>
                <td>{tx(m.formName)}</td>
                <td className="small">{m.items.map(itemName).join('、')}</td>
                <td>
                  <div className="tags">
                    {m.replaceableBy.eLicence && (
                      <span className="tag" data-relief="eLicence">
                        {t('guide.byELicence')}
                      </span>
                    )}
                    {m.replaceableBy.commitment && (
                      <span className="tag" data-relief="commitment">
                        {t('guide.byCommitment')}
                      </span>
                    )}
                    {m.deferrable && (
                      <span className="tag" data-relief="deferrable">
                        {t('materials.deferrable')}
                      </span>
                    )}
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {notBring.length > 0 && (
          <p className="muted small" data-testid="guide-no-need">
            {t('guide.noNeed', { materials: notBring.map((m) => tx(m.name)).join('、') })}
          </p>
        )}
      </Section>

      <Section title={t('guide.fees')}>
        <p data-testid="guide-fees">
          {guide.fees.free && guide.fees.stated ? t('guide.allFree') : t('guide.feesPerItem')}
        </p>
      </Section>
    </>
  );
}

function FeeText({ fee }: { fee: Fee | undefined }) {
  const { t, tx } = useApp();
  if (!fee) return <span className="muted">{t('guide.feeUnstated')}</span>;
  if (fee.free) return <span data-fee="free">{t('guide.free')}</span>;
  return (
    <span data-fee="paid">
      {fee.amount !== undefined ? t('guide.amount', { n: fee.amount }) : tx(fee.rule)}
      {fee.basis && <div className="muted small">{tx(fee.basis)}</div>}
    </span>
  );
}

/** One situation question as plain controls showing the URL's answer (ahead of the guide's). */
function Question({
  question: q,
  value,
  onAnswer,
}: {
  question: GuideQuestion;
  value: unknown;
  onAnswer(v: unknown): void;
}) {
  const { t, tx } = useApp();
  const name = `q-${q.id}`;
  if (q.type === 'boolean')
    return (
      <fieldset className="choice-row" data-question={q.id}>
        <legend>{tx(q.label)}</legend>
        {[true, false].map((v) => (
          <label key={String(v)} className="choice">
            <input type="radio" name={name} checked={value === v} onChange={() => onAnswer(v)} />
            {t(v ? 'common.yes' : 'common.no')}
          </label>
        ))}
      </fieldset>
    );
  if (q.type === 'multiChoice') {
    const chosen = Array.isArray(value) ? (value as string[]) : [];
    return (
      <fieldset className="choice-row" data-question={q.id}>
        <legend>{tx(q.label)}</legend>
        {(q.options ?? []).map((o) => (
          <label key={o.value} className="choice">
            <input
              type="checkbox"
              name={name}
              value={o.value}
              checked={chosen.includes(o.value)}
              onChange={(e) =>
                onAnswer(e.target.checked ? [...chosen, o.value] : chosen.filter((x) => x !== o.value))
              }
            />
            {tx(o.label)}
          </label>
        ))}
      </fieldset>
    );
  }
  if (q.type === 'number')
    return (
      <label data-question={q.id}>
        {tx(q.label)}
        <input
          type="number"
          name={name}
          value={typeof value === 'number' ? value : ''}
          onChange={(e) => onAnswer(e.target.value === '' ? undefined : Number(e.target.value))}
        />
      </label>
    );
  return (
    <label data-question={q.id}>
      {tx(q.label)}
      <select
        name={name}
        value={typeof value === 'string' ? value : ''}
        onChange={(e) => onAnswer(e.target.value || undefined)}
      >
        <option value="">{t('guide.choose')}</option>
        {(q.options ?? []).map((o) => (
          <option key={o.value} value={o.value}>
            {tx(o.label)}
          </option>
        ))}
      </select>
    </label>
  );
}
