/** The bundle editor beside the diagram: general data and departments, items, situation questions, materials, preview. */
import { useMemo, useState } from 'react';
import type {
  BundleDefinition,
  ItemDefinition,
  MaterialDefinition,
  SituationQuestion,
} from '../../../forms/src/bundle/types.js';
import { inspectCondition } from '../../../forms/src/feel/condition.js';
import { fieldLibrary } from '../../../forms/src/library/index.js';
import { errorAt, itemField, problemsAt, type BundleProblem } from '../bundle/checks.js';
import * as edit from '../bundle/edit.js';
import type { Lang } from '../modeler/context.js';
import { ApplicantAge } from './ApplicantAge.js';
import { AddPicker, Check, Text } from './controls.js';
import { t, type TextKey } from './i18n.js';
import { AfterItems, droppedNotice, Needs, Outputs } from './ItemOutputs.js';
import { Preview } from './Preview.js';

type Tab = 'general' | 'items' | 'questions' | 'materials' | 'preview';
const TABS: [Tab, TextKey][] = [
  ['general', 'tabGeneral'],
  ['items', 'tabItems'],
  ['questions', 'tabQuestions'],
  ['materials', 'tabMaterials'],
  ['preview', 'tabPreview'],
];

interface Props {
  bundle: BundleDefinition;
  lang: Lang;
  onChange: (bundle: BundleDefinition) => void;
  /** The server's problems of the last deploy that name no diagram element. */
  problems: { field: string; message: string }[];
  /** The designer's own checks of the bundle (bundle/checks.ts). */
  checks: BundleProblem[];
  /** Something the analyst should know about an edit (needs that went with a removed output). */
  onNotice: (text: string) => void;
  tab: Tab;
  onTab: (tab: Tab) => void;
}

export type { Tab };

export function BundleEditor(props: Props) {
  const { bundle, lang, onChange, problems, checks, onNotice, tab, onTab } = props;
  const editor = { bundle, lang, onChange, checks, onNotice };
  return (
    <div className="bundle-editor">
      <nav className="tabs">
        {TABS.map(([id, key]) => (
          <button key={id} className={tab === id ? 'active' : ''} onClick={() => onTab(id)} data-tab={id}>
            {t(lang, key)}
          </button>
        ))}
      </nav>
      {problems.length > 0 && (
        <ul className="problems server" data-testid="bundle-problems">
          {problems.map((p, i) => (
            <li key={i}>
              <code>{p.field}</code> {p.message}
            </li>
          ))}
        </ul>
      )}
      {checks.length > 0 && (
        <ul className="problems" data-testid="bundle-checks" aria-label={t(lang, 'bundleChecks')}>
          {checks.map((p, i) => (
            <li key={i} data-field={p.field}>
              <code>{p.field}</code> {p.message[lang]}
            </li>
          ))}
        </ul>
      )}
      <div className="tab-body">
        {tab === 'general' && <General {...editor} />}
        {tab === 'items' && <Items {...editor} />}
        {tab === 'questions' && <Questions bundle={bundle} lang={lang} onChange={onChange} />}
        {tab === 'materials' && <Materials bundle={bundle} lang={lang} onChange={onChange} />}
        {tab === 'preview' && <Preview key={JSON.stringify(bundle.questions)} bundle={bundle} lang={lang} />}
      </div>
    </div>
  );
}

type EditorProps = { bundle: BundleDefinition; lang: Lang; onChange: (b: BundleDefinition) => void };
type CheckedProps = EditorProps & Pick<Props, 'checks' | 'onNotice'>;

function Feel({
  label,
  value,
  onChange,
}: {
  label: string;
  value: string | undefined;
  onChange: (v: string | undefined) => void;
}) {
  const error = value ? inspectCondition(value).error : undefined;
  return (
    <label className={`field ${error ? 'has-error' : ''}`}>
      <span>{label}</span>
      <input
        value={value ?? ''}
        placeholder='entityType = "llc"'
        onChange={(e) => onChange(e.target.value.trim() ? e.target.value : undefined)}
      />
      {error && <small className="error">{error}</small>}
    </label>
  );
}

type Name = BundleDefinition['name'];

function Named({ lang, name, onChange }: { lang: Lang; name: Name; onChange: (name: Name) => void }) {
  return (
    <>
      <Text label={t(lang, 'nameZh')} value={name.zh} onChange={(zh) => onChange({ ...name, zh })} />
      <Text label={t(lang, 'nameEn')} value={name.en} onChange={(en) => onChange({ ...name, en })} />
    </>
  );
}

/** The Chinese and English names as two table cells (the departments table). */
function NameCells({ lang, name, onChange }: { lang: Lang; name: Name; onChange: (name: Name) => void }) {
  return (
    <>
      {(['zh', 'en'] as const).map((key) => (
        <td key={key}>
          <input
            aria-label={t(lang, key === 'zh' ? 'nameZh' : 'nameEn')}
            value={name[key]}
            onChange={(e) => onChange({ ...name, [key]: e.target.value })}
          />
        </td>
      ))}
    </>
  );
}

/** A department of the bundle and a promised number of working days (bundle: lead department; item: its own). */
function DepartmentDays(props: {
  lang: Lang;
  bundle: BundleDefinition;
  label: string;
  department: string;
  days: number;
  onChange: (patch: { department?: string; days?: number }) => void;
  /** The check's words when the department is not in the bundle's list (removed, or from a file). */
  error?: string;
}) {
  const { lang, bundle, label, department, days, onChange, error } = props;
  const listed = bundle.departments.some((d) => d.code === department);
  return (
    <>
      <label className={`field ${error ? 'has-error' : ''}`}>
        <span>{label}</span>
        <select value={department} onChange={(e) => onChange({ department: e.target.value })}>
          {/* Shown as it is, not as the first department a select falls back to. */}
          {!listed && <option value={department}>{department}</option>}
          {bundle.departments.map((d) => (
            <option key={d.code} value={d.code}>
              {d.name[lang]}
            </option>
          ))}
        </select>
        {error && <small className="error">{error}</small>}
      </label>
      <Text
        label={t(lang, 'promisedDays')}
        type="number"
        min={1}
        value={days}
        onChange={(v) => onChange({ days: Number(v) })}
      />
    </>
  );
}

function General({ bundle, lang, onChange, checks }: CheckedProps) {
  const set = (patch: Partial<BundleDefinition>) => onChange({ ...bundle, ...patch });
  return (
    <div className="form-grid">
      <Text label={t(lang, 'code')} value={bundle.code} onChange={(code) => set({ code })} />
      <Text label={t(lang, 'version')} value={bundle.version} onChange={(version) => set({ version })} />
      <Named lang={lang} name={bundle.name} onChange={(name) => set({ name })} />
      <DepartmentDays
        lang={lang}
        bundle={bundle}
        label={t(lang, 'leadDepartment')}
        department={bundle.leadDepartment}
        days={bundle.promisedDays}
        error={errorAt(checks, 'bundle.leadDepartment', lang)}
        onChange={(patch) =>
          set({
            ...(patch.department !== undefined ? { leadDepartment: patch.department } : {}),
            ...(patch.days !== undefined ? { promisedDays: patch.days } : {}),
          })
        }
      />
      <h4>{t(lang, 'departments')}</h4>
      <table className="rows">
        <tbody>
          {bundle.departments.map((d, index) => (
            <tr key={index}>
              <td>
                <input
                  aria-label={t(lang, 'code')}
                  value={d.code}
                  onChange={(e) => onChange(edit.updateDepartment(bundle, d.code, { code: e.target.value }))}
                />
              </td>
              <NameCells
                lang={lang}
                name={d.name}
                onChange={(name) => onChange(edit.updateDepartment(bundle, d.code, { name }))}
              />
              <td>
                <select
                  value={d.kind}
                  onChange={(e) =>
                    onChange(
                      edit.updateDepartment(bundle, d.code, {
                        kind: e.target.value as 'authority' | 'company',
                      }),
                    )
                  }
                >
                  <option value="authority">{t(lang, 'authority')}</option>
                  <option value="company">{t(lang, 'company')}</option>
                </select>
              </td>
              <td>
                <button className="link" onClick={() => onChange(edit.removeDepartment(bundle, d.code))}>
                  {t(lang, 'remove')}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <button onClick={() => onChange(edit.addDepartment(bundle))}>+ {t(lang, 'departments')}</button>
      <ApplicantAge bundle={bundle} lang={lang} checks={checks} onChange={onChange} />
    </div>
  );
}

function Items(props: CheckedProps) {
  const { bundle, lang, onChange, checks } = props;
  const [open, setOpen] = useState<string | null>(bundle.items[0]?.code ?? null);
  return (
    <div>
      {bundle.items.map((item, index) => {
        const at = itemField(item, index);
        const problems = problemsAt(checks, at).length;
        return (
          <details key={index} open={open === item.code} className="card" data-item={item.code}>
            <summary
              onClick={(e) => {
                e.preventDefault();
                setOpen(open === item.code ? null : item.code);
              }}
            >
              <b>{item.name[lang]}</b> <code>{item.code}</code> ·{' '}
              {bundle.departments.find((d) => d.code === item.department)?.name[lang] ?? item.department}
              {problems > 0 && (
                <span className="badge error" data-testid="item-problems">
                  ⚠ {problems}
                </span>
              )}
            </summary>
            {open === item.code && <ItemForm {...props} item={item} at={at} onRename={setOpen} />}
          </details>
        );
      })}
      <button
        onClick={() => {
          const next = edit.addItem(bundle);
          onChange(next);
          setOpen(next.items.at(-1)!.code);
        }}
      >
        + {t(lang, 'tabItems')}
      </button>
    </div>
  );
}

function ItemForm(
  props: CheckedProps & { item: ItemDefinition; at: string; onRename: (code: string) => void },
) {
  const { bundle, item, at, lang, checks, onChange, onNotice, onRename } = props;
  const update = (patch: Partial<ItemDefinition>) => onChange(edit.updateItem(bundle, item.code, patch));
  const library = useMemo(() => fieldLibrary.list(), []);
  const unused = library.filter((f) => !item.fields.some((u) => u.field === f.id));
  return (
    <div className="form-grid">
      <Text
        label={t(lang, 'code')}
        value={item.code}
        onChange={(code) => {
          onChange(edit.renameItem(bundle, item.code, code));
          onRename(code);
        }}
      />
      <Named lang={lang} name={item.name} onChange={(name) => update({ name })} />
      <DepartmentDays
        lang={lang}
        bundle={bundle}
        label={t(lang, 'department')}
        department={item.department}
        days={item.promisedDays}
        error={errorAt(checks, `${at}.department`, lang)}
        onChange={(patch) =>
          update({
            ...(patch.department !== undefined ? { department: patch.department } : {}),
            ...(patch.days !== undefined ? { promisedDays: patch.days } : {}),
          })
        }
      />
      <Feel
        label={t(lang, 'condition')}
        value={item.condition}
        onChange={(condition) => update({ condition })}
      />
      <AfterItems {...props} />
      <Needs {...props} />
      <h5>{t(lang, 'fields')}</h5>
      <Usages
        lang={lang}
        rows={item.fields}
        label={(f) => (
          <>
            {fieldLibrary.find(f.field)?.label[lang] ?? f.field} <code>{f.field}</code>
          </>
        )}
        extra={(f, set) => (
          <Check
            label={t(lang, 'needsFull')}
            value={f.needsFull}
            onChange={(needsFull) => set({ needsFull: needsFull || undefined })}
          />
        )}
        onChange={(fields) => update({ fields })}
      />
      <AddPicker
        label={t(lang, 'addField')}
        options={unused.map((f) => [f.id, `${f.label[lang]} (${f.id})`])}
        onPick={(field) => onChange(edit.addItemField(bundle, item.code, field))}
      />
      <h5>{t(lang, 'materials')}</h5>
      <Usages
        lang={lang}
        rows={item.materials}
        label={(m) => bundle.materials.find((x) => x.id === m.material)?.name[lang] ?? m.material}
        onChange={(materials) => update({ materials })}
      />
      <AddPicker
        label={t(lang, 'addMaterial')}
        options={bundle.materials
          .filter((m) => !item.materials.some((u) => u.material === m.id))
          .map((m) => [m.id, m.name[lang]])}
        onPick={(material) => onChange(edit.addItemMaterial(bundle, item.code, material))}
      />
      <Outputs {...props} />
      <button
        className="danger"
        onClick={() => {
          const gone = edit.needsOn(bundle, item.code);
          if (gone.length)
            onNotice(droppedNotice(bundle, gone, t(lang, 'theItem', { name: item.name[lang] }), lang));
          onChange(edit.removeItem(bundle, item.code));
        }}
      >
        {t(lang, 'remove')} {item.code}
      </button>
    </div>
  );
}

/** An item's uses of fields or materials: required, a FEEL condition, remove. */
function Usages<U extends { required?: boolean; condition?: string }>(props: {
  lang: Lang;
  rows: U[];
  label: (row: U) => React.ReactNode;
  extra?: (row: U, set: (patch: Partial<U>) => void) => React.ReactNode;
  onChange: (rows: U[]) => void;
}) {
  const { lang, rows, label, extra, onChange } = props;
  return (
    <table className="rows">
      <tbody>
        {rows.map((row, index) => {
          const set = (patch: Partial<U>) => onChange(rows.map((x) => (x === row ? { ...x, ...patch } : x)));
          const error = row.condition ? inspectCondition(row.condition).error : undefined;
          return (
            <tr key={index}>
              <td>{label(row)}</td>
              <td>
                <Check
                  label={t(lang, 'required')}
                  value={row.required}
                  onChange={(required) => set({ required } as Partial<U>)}
                />
              </td>
              {extra && <td>{extra(row, set)}</td>}
              <td>
                <input
                  className={`feel ${error ? 'has-error' : ''}`}
                  title={error}
                  placeholder={t(lang, 'condition')}
                  value={row.condition ?? ''}
                  onChange={(e) => set({ condition: e.target.value || undefined } as Partial<U>)}
                />
              </td>
              <td>
                <button className="link" onClick={() => onChange(rows.filter((x) => x !== row))}>
                  {t(lang, 'remove')}
                </button>
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

function optionsText(q: SituationQuestion): string {
  return (q.options ?? []).map((o) => `${o.value}=${o.label.zh}|${o.label.en}`).join('\n');
}

function parseOptions(text: string): SituationQuestion['options'] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => {
      const [value = '', labels = ''] = line.split('=');
      const [zh = value, en = zh] = labels.split('|');
      return { value: value.trim(), label: { zh: zh.trim(), en: en.trim() } };
    });
}

function Questions({ bundle, lang, onChange }: EditorProps) {
  return (
    <div>
      {bundle.questions.map((q, index) => (
        <div key={index} className="card form-grid">
          <Text
            label={t(lang, 'code')}
            value={q.id}
            onChange={(id) => onChange(edit.updateQuestion(bundle, q.id, { id }))}
          />
          <Named
            lang={lang}
            name={q.label}
            onChange={(label) => onChange(edit.updateQuestion(bundle, q.id, { label }))}
          />
          <label className="field">
            <span>{t(lang, 'type')}</span>
            <select
              value={q.type}
              onChange={(e) =>
                onChange(
                  edit.updateQuestion(bundle, q.id, { type: e.target.value as SituationQuestion['type'] }),
                )
              }
            >
              {(['boolean', 'choice', 'multiChoice', 'number'] as const).map((type) => (
                <option key={type} value={type}>
                  {t(lang, type)}
                </option>
              ))}
            </select>
          </label>
          {q.options && (
            <label className="field wide">
              <span>{t(lang, 'options')}</span>
              <textarea
                rows={Math.max(2, q.options.length)}
                defaultValue={optionsText(q)}
                onBlur={(e) =>
                  onChange(edit.updateQuestion(bundle, q.id, { options: parseOptions(e.target.value) }))
                }
              />
            </label>
          )}
          <button className="link" onClick={() => onChange(edit.removeQuestion(bundle, q.id))}>
            {t(lang, 'remove')}
          </button>
        </div>
      ))}
      <button onClick={() => onChange(edit.addQuestion(bundle))}>+ {t(lang, 'question')}</button>
    </div>
  );
}

function Materials({ bundle, lang, onChange }: EditorProps) {
  const update = (m: MaterialDefinition, patch: Partial<MaterialDefinition>) =>
    onChange(edit.updateMaterial(bundle, m.id, patch));
  return (
    <div>
      {bundle.materials.map((m, index) => (
        <div key={index} className="card form-grid">
          <Text label={t(lang, 'code')} value={m.id} onChange={(id) => update(m, { id })} />
          <Named lang={lang} name={m.name} onChange={(name) => update(m, { name })} />
          <label className="field">
            <span>{t(lang, 'form')}</span>
            <select
              value={m.form}
              onChange={(e) => update(m, { form: e.target.value as MaterialDefinition['form'] })}
            >
              {(['original', 'copy', 'electronic'] as const).map((f) => (
                <option key={f} value={f}>
                  {t(lang, f)}
                </option>
              ))}
            </select>
          </label>
          <Text
            label={t(lang, 'eLicenceType')}
            value={m.eLicenceType}
            onChange={(v) => update(m, { eLicenceType: v || undefined })}
          />
          <Check
            label={t(lang, 'deferrable')}
            value={m.deferrable}
            onChange={(v) => update(m, { deferrable: v || undefined })}
          />
          <Check
            label={t(lang, 'commitment')}
            value={m.commitment}
            onChange={(v) => update(m, { commitment: v || undefined })}
          />
          <button className="link" onClick={() => onChange(edit.removeMaterial(bundle, m.id))}>
            {t(lang, 'remove')}
          </button>
        </div>
      ))}
      <button onClick={() => onChange(edit.addMaterial(bundle))}>+ {t(lang, 'materials')}</button>
    </div>
  );
}
