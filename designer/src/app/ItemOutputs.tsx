/**
 * An item's place in the chain, in the bundle editor: the items it comes after, the results of
 * earlier items it needs (chosen from those the server accepts, never typed), and the results
 * (outputs) its department records on approval. Removing an output tells the analyst which needs
 * went with it; problems are shown where they are, in the server's words.
 */
import type {
  BundleDefinition,
  ItemDefinition,
  ItemOutput,
  OutputFormat,
  OutputRef,
} from '../../../forms/src/bundle/types.js';
import { availableNeeds, errorAt, outputField, problemsAt, type BundleProblem } from '../bundle/checks.js';
import * as edit from '../bundle/edit.js';
import type { Lang } from '../modeler/context.js';
import { AddPicker, Check, Remove, Text } from './controls.js';
import { t, type TextKey } from './i18n.js';

export interface ItemPartProps {
  bundle: BundleDefinition;
  item: ItemDefinition;
  /** Where problems of this item are (itemField). */
  at: string;
  lang: Lang;
  checks: BundleProblem[];
  onChange: (b: BundleDefinition) => void;
  onNotice: (text: string) => void;
}

const FORMATS: OutputFormat[] = ['credit-code', 'resident-id', 'division-code', 'date'];
type Sensitivity = NonNullable<ItemOutput['sensitivity']>;
/** As fields declare it (forms/src/library): a sensitive result is starred for the window and supervisors. */
const SENSITIVITIES: [Sensitivity, TextKey][] = [
  ['public', 'sensitivityPublic'],
  ['personal', 'sensitivityPersonal'],
  ['sensitive', 'sensitivitySensitive'],
];

export function AfterItems({ bundle, item, at, lang, checks, onChange }: ItemPartProps) {
  const after = item.after ?? [];
  const toggle = (code: string, on: boolean) =>
    onChange(edit.setAfter(bundle, item.code, on ? [...after, code] : after.filter((a) => a !== code)));
  // An `after` naming no item has no box to untick: the check says so, and the analyst may drop it.
  const error = errorAt(checks, `${at}.after`, lang);
  const unknown = after.filter((a) => !bundle.items.some((other) => other.code === a));
  return (
    <fieldset className={`wide ${error ? 'has-error' : ''}`} data-testid="after">
      <legend>{t(lang, 'after')}</legend>
      <small className="muted">{t(lang, 'afterHint')}</small>
      {unknown.map((code) => (
        <Check key={code} label={code} value={true} onChange={(on) => toggle(code, on)} data-after={code} />
      ))}
      {error && <small className="error">{error}</small>}
      {bundle.items
        .filter((other) => other.code !== item.code)
        .map((other) => (
          <Check
            key={other.code}
            label={`${other.name[lang]} (${other.code})`}
            value={after.includes(other.code)}
            onChange={(on) => toggle(other.code, on)}
            data-after={other.code}
          />
        ))}
    </fieldset>
  );
}

/** “设立登记 · 统一社会信用代码”: an output of an item by their names, or their codes where unknown. */
export function outputName(bundle: BundleDefinition, ref: OutputRef, lang: Lang): string {
  const source = bundle.items.find((i) => i.code === ref.item);
  const output = source?.outputs?.find((o) => o.key === ref.output);
  return `${source?.name[lang] ?? ref.item} · ${output?.label[lang] ?? ref.output}`;
}

export function Needs({ bundle, item, at, lang, checks, onChange }: ItemPartProps) {
  const needs = item.needs ?? [];
  const chosen = (ref: OutputRef) => needs.some((n) => n.item === ref.item && n.output === ref.output);
  const options = availableNeeds(bundle, item.code)
    .filter((ref) => !chosen(ref))
    .map((ref): [string, string] => [
      `${ref.item}/${ref.output}`,
      `${outputName(bundle, ref, lang)} (${ref.item}.${ref.output})`,
    ]);
  return (
    <fieldset className="wide" data-testid="needs">
      <legend>{t(lang, 'needs')}</legend>
      <small className="muted">{t(lang, 'needsHint')}</small>
      <table className="rows">
        <tbody>
          {needs.map((need, n) => {
            const error = errorAt(checks, `${at}.needs.${n}`, lang);
            return (
              <tr key={n} data-need={`${need.item}/${need.output}`} className={error ? 'has-error' : ''}>
                <td>
                  {outputName(bundle, need, lang)}{' '}
                  <code>
                    {need.item}.{need.output}
                  </code>
                  {error && <small className="error">{error}</small>}
                </td>
                <td>
                  <Remove lang={lang} onClick={() => onChange(edit.removeNeed(bundle, item.code, n))} />
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <AddPicker
        label={t(lang, 'addNeed')}
        empty={t(lang, 'noNeedsAvailable')}
        options={options}
        data-testid="add-need"
        onPick={(value) => {
          const [source = '', output = ''] = value.split('/');
          onChange(edit.addNeed(bundle, item.code, { item: source, output }));
        }}
      />
    </fieldset>
  );
}

export function Outputs(props: ItemPartProps) {
  const { bundle, item, lang, onChange } = props;
  return (
    <fieldset className="wide" data-testid="outputs">
      <legend>{t(lang, 'outputs')}</legend>
      <small className="muted">{t(lang, 'outputsHint')}</small>
      {(item.outputs ?? []).map((output, n) => (
        <OutputForm key={n} {...props} output={output} index={n} />
      ))}
      <button onClick={() => onChange(edit.addOutput(bundle, item.code))} data-testid="add-output">
        + {t(lang, 'addOutput')}
      </button>
    </fieldset>
  );
}

function OutputForm({
  bundle,
  item,
  at,
  lang,
  checks,
  onChange,
  onNotice,
  output,
  index,
}: ItemPartProps & { output: ItemOutput; index: number }) {
  const here = outputField(at, item, index);
  const set = (patch: Partial<ItemOutput>) => onChange(edit.updateOutput(bundle, item.code, index, patch));
  const error = (part: string) => errorAt(checks, `${here}.${part}`, lang);
  const setText = (part: 'label' | 'hint', which: Lang, value: string) => {
    const text = { ...(output[part] ?? { zh: '', en: '' }), [which]: value };
    // An empty format description is none; a label stays (both names are required).
    set({ [part]: part === 'hint' && !text.zh && !text.en ? undefined : text });
  };
  const remove = () => {
    const next = edit.removeOutput(bundle, item.code, index);
    const gone = edit.needsOn(next, item.code, output.key).length
      ? []
      : edit.needsOn(bundle, item.code, output.key);
    if (gone.length)
      onNotice(
        droppedNotice(
          bundle,
          gone,
          t(lang, 'theOutput', { item: item.name[lang], name: output.label[lang] }),
          lang,
        ),
      );
    onChange(next);
  };
  /** Chinese and English of a text of the output, Chinese first. */
  const bilingual = (part: 'label' | 'hint', labels: [TextKey, TextKey]) =>
    (['zh', 'en'] as const).map((which, n) => (
      <Text
        key={which}
        label={t(lang, labels[n]!)}
        value={output[part]?.[which]}
        onChange={(v) => setText(part, which, v)}
        error={error(`${part}.${which}`)}
        name={`output-${part}-${which}`}
      />
    ));
  const ownProblems = checks.filter((p) => p.field === here);
  return (
    <div
      className={`card form-grid output ${problemsAt(checks, here).length ? 'has-error' : ''}`}
      data-output={index}
    >
      <Text
        label={t(lang, 'outputKey')}
        value={output.key}
        onChange={(key) => set({ key })}
        error={error('key')}
        name="output-key"
      />
      <label className={`field ${error('format') ? 'has-error' : ''}`}>
        <span>{t(lang, 'format')}</span>
        <select
          name="output-format"
          value={output.format ?? ''}
          onChange={(e) => set({ format: (e.target.value || undefined) as OutputFormat | undefined })}
        >
          <option value="">{t(lang, 'anyText')}</option>
          {FORMATS.map((f) => (
            <option key={f} value={f}>
              {t(lang, f)}
            </option>
          ))}
        </select>
      </label>
      <label className="field">
        <span>{t(lang, 'outputSensitivity')}</span>
        <select
          name="output-sensitivity"
          value={output.sensitivity ?? ''}
          onChange={(e) => set({ sensitivity: (e.target.value || undefined) as Sensitivity | undefined })}
        >
          <option value="">{t(lang, 'sensitivityDefault')}</option>
          {SENSITIVITIES.map(([value, label]) => (
            <option key={value} value={value}>
              {t(lang, label)}
            </option>
          ))}
        </select>
      </label>
      {bilingual('label', ['labelZh', 'labelEn'])}
      <Text
        label={t(lang, 'pattern')}
        value={output.pattern}
        onChange={(pattern) => set({ pattern: pattern || undefined })}
        error={error('pattern')}
        name="output-pattern"
        placeholder="^[A-Z][0-9]{9}$"
      />
      <Text
        label={t(lang, 'maxLength')}
        type="number"
        min={1}
        max={200}
        value={output.maxLength}
        onChange={(v) => set({ maxLength: v === '' ? undefined : Number(v) })}
        error={error('maxLength')}
        name="output-maxLength"
      />
      {(output.pattern || output.hint) && bilingual('hint', ['hintZh', 'hintEn'])}
      {ownProblems.map((p, n) => (
        <small key={n} className="error wide">
          {p.message[lang]}
        </small>
      ))}
      <button className="link" onClick={remove} data-testid="remove-output">
        {t(lang, 'remove')} {output.key}
      </button>
    </div>
  );
}

/** “…已删除。以下事项不再需要其办理结果：刻章备案（统一社会信用代码）”: what removing took away. */
export function droppedNotice(
  bundle: BundleDefinition,
  gone: ReturnType<typeof edit.needsOn>,
  what: string,
  lang: Lang,
): string {
  const needer = (code: string) => bundle.items.find((i) => i.code === code)?.name[lang] ?? code;
  const list = gone.map((g) =>
    lang === 'zh'
      ? `${needer(g.item)}（${outputName(bundle, g.need, lang)}）`
      : `${needer(g.item)} (${outputName(bundle, g.need, lang)})`,
  );
  return t(lang, 'needsDropped', { what, list: list.join(lang === 'zh' ? '、' : '; ') });
}
