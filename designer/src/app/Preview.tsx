/**
 * Live preview of the unified form: forms/src/merge compiles the bundle (in the browser) into one
 * JSON Schema and UI schema; JSON Forms renders it with the situation questionnaire first, so
 * changing an answer shows and hides fields through the form's own rules, and the materials list
 * and active items follow from mergeBundle for the same answers.
 */
import { JsonForms } from '@jsonforms/react';
import { vanillaCells, vanillaRenderers } from '@jsonforms/vanilla-renderers';
import { useMemo, useState } from 'react';
import type { BundleDefinition } from '../../../forms/src/bundle/types.js';
import { mergeBundle, type MergeResult } from '../../../forms/src/merge/index.js';
import type { Lang } from '../modeler/context.js';
import { defaultAnswers } from '../bundle/edit.js';
import { t } from './i18n.js';
import { createSafeAjv } from './safe-ajv.js';

const ajv = createSafeAjv();

export function Preview({ bundle, lang }: { bundle: BundleDefinition; lang: Lang }) {
  const [data, setData] = useState<Record<string, unknown>>(() => ({ situation: defaultAnswers(bundle) }));
  const answers = (data.situation ?? {}) as Record<string, unknown>;
  const merged = useMemo((): MergeResult | Error => {
    try {
      return mergeBundle(bundle, answers);
    } catch (err) {
      return err as Error;
    }
    // Deliberately keyed on these values only (the effect reads the rest through refs).
  }, [bundle, JSON.stringify(answers)]);
  const i18n = useMemo(() => {
    if (merged instanceof Error) return undefined;
    const texts: Record<string, string> = { ...merged.form.i18n[lang] };
    // Choice labels: JSON Forms asks for `<control i18n key>.<value>`.
    for (const q of bundle.questions)
      for (const o of q.options ?? []) texts[`situation.${q.id}.${o.value}`] = o.label[lang];
    return {
      locale: lang === 'zh' ? 'zh-CN' : 'en',
      translate: (key: string, fallback: unknown) => texts[key] ?? (fallback as string),
    };
  }, [merged, lang, bundle]);

  if (merged instanceof Error) {
    return (
      <div className="preview">
        <p className="problem" data-testid="merge-error">
          {t(lang, 'mergeFailed')}：{merged.message}
        </p>
      </div>
    );
  }
  return (
    <div className="preview" data-testid="preview">
      <p className="hint">{t(lang, 'previewHint')}</p>
      <section className="preview-summary">
        <h4>{t(lang, 'activeItems')}</h4>
        <ul data-testid="active-items">
          {merged.items.map((i) => (
            <li key={i.code}>
              {i.name[lang]} <code>{i.code}</code>
            </li>
          ))}
        </ul>
        <h4>{t(lang, 'materialList')}</h4>
        <table className="materials" data-testid="preview-materials">
          <tbody>
            {merged.materials.map((m) => (
              <tr key={m.id}>
                <td>{m.name[lang]}</td>
                <td className="nowrap">{t(lang, m.form)}</td>
                <td className="nowrap">{m.required ? t(lang, 'required') : ''}</td>
                <td className="nowrap">
                  {m.deferrable ? '容缺 ' : ''}
                  {m.commitment ? '承诺 ' : ''}
                  {m.eLicenceType ? '电子证照' : ''}
                </td>
                <td className="muted">{m.items.join(', ')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <h4>{t(lang, 'unifiedForm')}</h4>
      <div className="jsonforms" data-testid="preview-form">
        <JsonForms
          schema={merged.schema as object}
          uischema={merged.uischema as never}
          data={data}
          renderers={vanillaRenderers}
          cells={vanillaCells}
          ajv={ajv as never}
          validationMode="NoValidation"
          i18n={i18n}
          onChange={({ data: next }) => setData(next as Record<string, unknown>)}
        />
      </div>
    </div>
  );
}
