/**
 * Labels the unified form's schema does not carry: the properties of repeated groups (investors,
 * officers…) and JSON Forms' own controls. Code labels come with the form's i18n table (compiled
 * from the field library); the library itself answers for a form compiled without them.
 * The JSON Forms translator falls back to these after the bundle's own i18n table.
 */
import { fieldLibrary } from '../../../forms/src/library/index.js';
import type { Lang, Text } from './problems.js';

const v = (zh: string, en: string): Text => ({ zh, en });

export const PROPERTY_LABELS: Record<string, Text> = {
  name: v('姓名/名称', 'Name'),
  idType: v('证件类型', 'ID document type'),
  idNumber: v('证件号码', 'ID number'),
  creditCode: v('统一社会信用代码', 'Unified social credit code'),
  mobile: v('手机号码', 'Mobile'),
  subscribedAmount: v('认缴出资额(万元)', 'Subscribed amount (10k CNY)'),
  contributionMethod: v('出资方式', 'Contribution method'),
  contributionDueDate: v('出资期限', 'Contribution due date'),
  officerRole: v('职务', 'Position'),
};

/** Texts of JSON Forms' own controls (array tables, selects), by the last segment of their key. */
export const CONTROL_TEXTS: Record<string, Text> = {
  addTooltip: v('添加一行', 'Add a row'),
  addAriaLabel: v('添加一行', 'Add a row'),
  removeTooltip: v('删除', 'Delete'),
  removeAriaLabel: v('删除此行', 'Delete this row'),
  upAriaLabel: v('上移', 'Move up'),
  downAriaLabel: v('下移', 'Move down'),
  up: v('上移', 'Up'),
  down: v('下移', 'Down'),
  noDataMessage: v('尚未填写，请点击“添加一行”', 'Nothing yet; use “Add a row”'),
  noSelection: v('未选择', 'No selection'),
  deleteDialogTitle: v('确认删除', 'Confirm deletion'),
  deleteDialogMessage: v('确定删除这一行吗？', 'Delete this row?'),
  deleteDialogAccept: v('删除', 'Delete'),
  deleteDialogDecline: v('取消', 'Cancel'),
};

const FIXED: Record<string, Text> = {
  'enum.none': v('请选择', 'Choose…'),
  'common.yes': v('是', 'Yes'),
  'common.no': v('否', 'No'),
};

export interface FormTexts {
  /** The bundle's i18n table: `<key>.label` → text, per language. */
  i18n?: { zh: Record<string, string>; en: Record<string, string> };
  /** Situation questions with their option labels. */
  questions?: { id: string; label: Text; options?: { value: string; label: Text }[] }[];
}

/**
 * A JSON Forms translator: the bundle's own labels, then situation option labels, then the
 * property and control tables here and the library's code labels; otherwise the default JSON
 * Forms passes (undefined when none).
 */
export function formTranslator(texts: FormTexts, lang: Lang) {
  const table = texts.i18n?.[lang] ?? {};
  const options = new Map<string, Text>();
  for (const q of texts.questions ?? []) {
    options.set(`situation.${q.id}.label`, q.label);
    for (const o of q.options ?? []) options.set(`situation.${q.id}.${o.value}`, o.label);
  }
  return (key: string, defaultMessage?: string): string | undefined => {
    if (table[key] !== undefined) return table[key];
    if (FIXED[key]) return FIXED[key]![lang];
    const option = options.get(key);
    if (option) return option[lang];
    const parts = key.split('.');
    const last = parts[parts.length - 1]!;
    if (last === 'label' && parts.length >= 2) {
      const prop = PROPERTY_LABELS[parts[parts.length - 2]!];
      if (prop && parts.length > 2) return prop[lang];
    } else if (CONTROL_TEXTS[last] && !key.includes('.error.')) {
      return CONTROL_TEXTS[last]![lang];
    } else if (parts.length >= 2 && !key.includes('.error.')) {
      const code = libraryCode(parts[parts.length - 2]!, last);
      if (code) return code[lang];
    }
    return defaultMessage;
  };
}

/** The shipped library's label of a field's code, for a form compiled without code labels. */
function libraryCode(field: string, code: string): Text | undefined {
  return fieldLibrary.find(field)?.codes?.[code];
}

/**
 * A value of the form data as a reader should see it: a code as its label, anything else as it
 * is. `path` is the field, or field.property inside a group (`investors.contributionMethod`).
 */
export function codeLabel(texts: FormTexts, path: string, value: string, lang: Lang): string {
  // `<path>.label` in the table is the field's own label, not a code's.
  if (value === 'label') return value;
  const field = path.split('.').pop()!;
  return texts.i18n?.[lang][`${path}.${value}`] ?? libraryCode(field, value)?.[lang] ?? value;
}

/**
 * The schema with titles on the properties of repeated groups, in the reader's language: JSON
 * Forms' table control uses them as column headers (otherwise "Id Number").
 */
export function localiseSchema<T>(schema: T, lang: Lang): T {
  const walk = (node: unknown, nested: boolean): unknown => {
    if (Array.isArray(node)) return node.map((n) => walk(n, nested));
    if (!node || typeof node !== 'object') return node;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node as Record<string, unknown>)) {
      if (k === 'properties' && v && typeof v === 'object') {
        out[k] = Object.fromEntries(
          Object.entries(v as Record<string, unknown>).map(([name, prop]) => {
            const walked = walk(prop, nested) as Record<string, unknown>;
            const label = PROPERTY_LABELS[name];
            return [
              name,
              nested && label && walked && typeof walked === 'object'
                ? { ...walked, title: label[lang] }
                : walked,
            ];
          }),
        );
      } else out[k] = walk(v, nested || k === 'items');
    }
    return out;
  };
  return walk(schema, false) as T;
}
