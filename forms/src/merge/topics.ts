import type { Text, Topic } from '../library/index.js';

/** Form sections, in the order the applicant meets them. */
export const topics: Record<Topic, Text> = {
  applicant: { zh: '申请人', en: 'Applicant' },
  legalRep: { zh: '法定代表人/经营者', en: 'Legal representative or operator' },
  enterprise: { zh: '企业信息', en: 'Enterprise' },
  people: { zh: '股东及主要人员', en: 'Investors and officers' },
  address: { zh: '地址', en: 'Addresses' },
  tax: { zh: '税务', en: 'Tax' },
  insurance: { zh: '社保、医保、公积金', en: 'Social insurance, medical insurance, housing fund' },
  bank: { zh: '银行', en: 'Bank' },
  newborn: { zh: '新生儿', en: 'Newborn' },
  parents: { zh: '父母及监护人', en: 'Parents and guardian' },
  employment: { zh: '就业', en: 'Employment' },
  restaurant: { zh: '餐饮经营', en: 'Restaurant' },
  fire: { zh: '消防', en: 'Fire safety' },
  sign: { zh: '招牌', en: 'Shop sign' },
  utility: { zh: '报装信息', en: 'Connection details' },
  road: { zh: '道路与绿地施工', en: 'Road and green-land works' },
  contact: { zh: '联系方式', en: 'Contact' },
};

export const situationSection: Text = { zh: '办事情形', en: 'Your situation' };
