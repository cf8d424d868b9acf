import type { Text } from './types.js';

/**
 * The code lists of the field library (代码表): each code a value may take, with the label a form
 * shows and a reader sees for it. The stored value stays the code; the order is the form's order.
 */
export type CodeLabels = Readonly<Record<string, Text>>;

function codes(table: Record<string, [zh: string, en: string]>): CodeLabels {
  return Object.fromEntries(Object.entries(table).map(([code, [zh, en]]) => [code, { zh, en }]));
}

export const applicantKinds = codes({
  person: ['自然人', 'Person'],
  organisation: ['法人或其他组织', 'Organisation'],
});

/** 证件类型; the keys are the library's idTypes, in the same order. */
export const idTypeLabels = codes({
  residentId: ['居民身份证', 'Resident ID card'],
  residencePermit: ['港澳台居民居住证', 'Residence permit (HK/Macao/Taiwan)'],
  hkMacaoTravelPermit: ['港澳居民来往内地通行证', 'HK/Macao home-return permit'],
  taiwanTravelPermit: ['台湾居民来往大陆通行证', 'Taiwan compatriot permit'],
  foreignPermanentId: ['外国人永久居留身份证', 'Foreign permanent resident ID'],
  passport: ['护照', 'Passport'],
});

/** GB/T 2261.1. */
export const genders = codes({ '1': ['男', 'Male'], '2': ['女', 'Female'] });

/** GB/T 4658 (first level). */
export const educationLevels = codes({
  '10': ['研究生', 'Postgraduate'],
  '20': ['大学本科', "Bachelor's degree"],
  '30': ['大学专科', 'Junior college'],
  '40': ['中等职业教育', 'Secondary vocational school'],
  '60': ['普通高级中学', 'Senior high school'],
  '70': ['初级中学', 'Junior high school'],
  '80': ['小学', 'Primary school'],
  '90': ['其他', 'Other'],
});

export const enterpriseTypes = codes({
  llc: ['有限责任公司', 'Limited liability company'],
  soleProprietorship: ['个人独资企业', 'Sole proprietorship'],
  partnership: ['合伙企业', 'Partnership'],
  individualBusiness: ['个体工商户', 'Individual business'],
});

export const contributionMethods = codes({
  cash: ['货币', 'Cash'],
  inKind: ['实物', 'In kind'],
  intellectualProperty: ['知识产权', 'Intellectual property'],
  landUseRight: ['土地使用权', 'Land-use right'],
  equity: ['股权', 'Equity'],
});

export const officerRoles = codes({
  director: ['董事', 'Director'],
  executiveDirector: ['执行董事', 'Executive director'],
  supervisor: ['监事', 'Supervisor'],
  manager: ['经理', 'Manager'],
});

export const invoiceTypes = codes({
  ordinary: ['普通发票', 'Ordinary invoices'],
  vatSpecial: ['增值税专用发票', 'VAT special invoices'],
});

export const hukouParents = codes({
  father: ['随父落户', "With the father's household"],
  mother: ['随母落户', "With the mother's household"],
});

export const cardDeliveries = codes({
  post: ['邮寄', 'By post'],
  bankOutlet: ['银行网点领取', 'At a bank outlet'],
});

export const employmentForms = codes({
  selfEmployed: ['个体经营', 'Self-employed'],
  partTime: ['非全日制就业', 'Part-time work'],
  platform: ['新就业形态（平台就业）', 'Platform work'],
  other: ['其他灵活就业', 'Other flexible work'],
});

/** Percent of the published average wage taken as the contribution base. */
export const pensionBaseTiers = codes({
  '60': ['60%', '60%'],
  '80': ['80%', '80%'],
  '100': ['100%', '100%'],
  '150': ['150%', '150%'],
  '200': ['200%', '200%'],
  '300': ['300%', '300%'],
});

export const medicalTiers = codes({
  tier1: ['一档', 'Tier 1'],
  tier2: ['二档', 'Tier 2'],
  tier3: ['三档', 'Tier 3'],
});

export const foodCategories = codes({
  hotMeals: ['热食类', 'Hot meals'],
  coldFood: ['冷食类', 'Cold food'],
  rawFood: ['生食类', 'Raw food'],
  pastries: ['糕点类', 'Pastries'],
  drinks: ['自制饮品', 'Drinks'],
});

export const fireFacilities = codes({
  extinguishers: ['灭火器', 'Extinguishers'],
  sprinklers: ['自动喷淋', 'Sprinklers'],
  alarm: ['火灾报警', 'Fire alarm'],
  smokeExhaust: ['排烟设施', 'Smoke exhaust'],
  emergencyLighting: ['应急照明', 'Emergency lighting'],
});

export const cookingEnergies = codes({
  pipedGas: ['管道燃气', 'Piped gas'],
  bottledLpg: ['瓶装液化气', 'Bottled LPG'],
  electric: ['电', 'Electric'],
});

export const voltageLevels = codes({
  '220V': ['220伏（单相）', '220 V (single-phase)'],
  '380V': ['380伏（三相）', '380 V (three-phase)'],
  '10kV': ['10千伏', '10 kV'],
  '20kV': ['20千伏', '20 kV'],
  '35kV': ['35千伏', '35 kV'],
});

/** 用电类别 and 用气类别 share their codes. */
export const useCategories = codes({
  residential: ['居民', 'Residential'],
  commercial: ['商业', 'Commercial'],
  industrial: ['工业', 'Industrial'],
});

export const waterPurposes = codes({
  domestic: ['生活', 'Domestic'],
  business: ['经营', 'Business'],
  fire: ['消防', 'Fire'],
  construction: ['施工', 'Construction'],
});

/** Nominal pipe diameters. */
export const pipeSizes = codes(
  Object.fromEntries(
    [20, 25, 32, 40, 50, 80, 100, 150].map((mm): [string, [string, string]] => [
      `DN${mm}`,
      [`DN${mm}（公称直径${mm}毫米）`, `DN${mm} (${mm} mm nominal)`],
    ]),
  ),
);
