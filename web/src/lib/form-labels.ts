/**
 * Labels the unified form's schema does not carry: code values of enumerations (the field
 * library keeps bare codes) and the properties of repeated groups (investors, officers…).
 * The JSON Forms translator falls back to these after the bundle's own i18n table.
 */
import type { Lang, Text } from './problems.js';

const v = (zh: string, en: string): Text => ({ zh, en });

export const ENUM_LABELS: Record<string, Text> = {
  // enterprise types
  llc: v('有限责任公司', 'Limited liability company'),
  soleProprietorship: v('个人独资企业', 'Sole proprietorship'),
  partnership: v('合伙企业', 'Partnership'),
  individualBusiness: v('个体工商户', 'Individual business'),
  // identity documents
  residentId: v('居民身份证', 'Resident ID card'),
  residencePermit: v('港澳台居民居住证', 'Residence permit (HK/Macao/Taiwan)'),
  hkMacaoTravelPermit: v('港澳居民来往内地通行证', 'HK/Macao home-return permit'),
  taiwanTravelPermit: v('台湾居民来往大陆通行证', 'Taiwan compatriot permit'),
  foreignPermanentId: v('外国人永久居留身份证', 'Foreign permanent resident ID'),
  passport: v('护照', 'Passport'),
  // contributions and officers
  cash: v('货币', 'Cash'),
  inKind: v('实物', 'In kind'),
  intellectualProperty: v('知识产权', 'Intellectual property'),
  landUseRight: v('土地使用权', 'Land-use right'),
  equity: v('股权', 'Equity'),
  director: v('董事', 'Director'),
  executiveDirector: v('执行董事', 'Executive director'),
  supervisor: v('监事', 'Supervisor'),
  manager: v('经理', 'Manager'),
  // invoices
  ordinary: v('普通发票', 'Ordinary invoices'),
  vatSpecial: v('增值税专用发票', 'VAT special invoices'),
  // restaurant
  hotMeals: v('热食类', 'Hot meals'),
  coldFood: v('冷食类', 'Cold food'),
  rawFood: v('生食类', 'Raw food'),
  pastries: v('糕点类', 'Pastries'),
  drinks: v('自制饮品', 'Drinks'),
  pipedGas: v('管道燃气', 'Piped gas'),
  bottledLpg: v('瓶装液化气', 'Bottled LPG'),
  electric: v('电', 'Electric'),
  extinguishers: v('灭火器', 'Extinguishers'),
  sprinklers: v('自动喷淋', 'Sprinklers'),
  alarm: v('火灾报警', 'Fire alarm'),
  smokeExhaust: v('排烟设施', 'Smoke exhaust'),
  emergencyLighting: v('应急照明', 'Emergency lighting'),
  // utilities
  residential: v('居民', 'Residential'),
  commercial: v('商业', 'Commercial'),
  industrial: v('工业', 'Industrial'),
  construction: v('施工', 'Construction'),
  domestic: v('生活', 'Domestic'),
  business: v('经营', 'Business'),
  fire: v('消防', 'Fire'),
  tier1: v('一档', 'Tier 1'),
  tier2: v('二档', 'Tier 2'),
  tier3: v('三档', 'Tier 3'),
};

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
 * A JSON Forms translator: the bundle's own labels, then situation option labels, then the code
 * and property tables here; otherwise the default JSON Forms passes (undefined when none).
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
    } else if (ENUM_LABELS[last] && parts.length >= 2 && !key.includes('.error.')) {
      return ENUM_LABELS[last]![lang];
    }
    return defaultMessage;
  };
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
