import type { Lang } from './context.js';
import { zhCN } from './zh.js';

/** bpmn-js's translate service: our dictionary, then `{name}` replacements. */
export function makeTranslate(lang: Lang) {
  const dictionary: Record<string, string> = lang === 'zh' ? zhCN : {};
  return (template: string, replacements: Record<string, unknown> = {}) =>
    (dictionary[template] ?? template).replace(/{([^}]+)}/g, (_, key: string) =>
      key in replacements ? String(replacements[key]) : `{${key}}`,
    );
}

/** A bpmn-js module replacing the `translate` service. */
export const translateModule = (lang: Lang) => ({ translate: ['value', makeTranslate(lang)] });
