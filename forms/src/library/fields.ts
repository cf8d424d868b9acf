import type { FieldDefinition, GovFormat, Sensitivity, Text, Topic } from './types.js';
import type { JSONSchema7 } from 'json-schema';
import * as s from './schemas.js';
import * as c from './codes.js';

/** The shipped field library: the common fields of the five example bundles (EXAMPLE-BUNDLES.md). */

interface Extra {
  help?: Text;
  format?: GovFormat;
  idTypeField?: string;
}

function field(
  id: string,
  label: [string, string],
  topic: Topic,
  schema: JSONSchema7,
  sensitivity: Sensitivity,
  extra: Extra = {},
): FieldDefinition {
  // The format lives both on the definition (for lookups such as masking) and in the schema (for ajv).
  const format = extra.format ?? (schema.format as GovFormat | undefined);
  const withFormat = format ? { ...schema, format } : schema;
  return {
    id,
    label: { zh: label[0], en: label[1] },
    topic,
    schema: withFormat,
    sensitivity,
    ...extra,
    ...(format ? { format } : {}),
  };
}

const help = (zh: string, en: string): Text => ({ zh, en });

/** A field whose value is one code of a code list (`many`: some of them), each code labelled. */
function coded(
  id: string,
  label: [string, string],
  topic: Topic,
  codes: c.CodeLabels,
  sensitivity: Sensitivity,
  extra: Extra & { many?: boolean } = {},
): FieldDefinition {
  const { many, ...rest } = extra;
  const schema = many ? s.someOfCodes(codes) : s.oneOfCodes(codes);
  return { ...field(id, label, topic, schema, sensitivity, rest), codes };
}

/** Document type + number pairs share one rule: the number is checked as a resident ID when the type says so. */
function identity(prefix: string, zh: string, en: string, topic: Topic): FieldDefinition[] {
  const typeId = `${prefix}IdType`;
  return [
    field(`${prefix}Name`, [`${zh}姓名`, `${en} name`], topic, s.personName, 'personal'),
    coded(typeId, [`${zh}证件类型`, `${en} ID document type`], topic, c.idTypeLabels, 'personal'),
    field(`${prefix}IdNumber`, [`${zh}证件号码`, `${en} ID number`], topic, s.anyIdNumber, 'sensitive', {
      idTypeField: typeId,
    }),
  ];
}

/** A region code + detail address pair (所在区 + 详细地址). */
function place(regionId: string, addressId: string, zh: string, en: string): FieldDefinition[] {
  return [
    field(regionId, [`${zh}所在区`, `${en} district`], 'address', s.divisionCode, 'public', {
      help: help('GB/T 2260 行政区划代码,6位', 'GB/T 2260 administrative-division code, 6 digits'),
    }),
    field(addressId, [`${zh}详细地址`, `${en} street address`], 'address', s.detailAddress, 'personal'),
  ];
}

/** A region code down to the town or street (镇/街道), for items decided at that level. */
function town(id: string, zh: string, en: string): FieldDefinition {
  return field(id, [zh, en], 'address', s.townshipCode, 'personal', {
    help: help(
      '统计用区划代码，到镇（街道）级9位或村（社区）级12位',
      'Statistical division code down to town/street (9 digits) or village/community (12)',
    ),
  });
}

const applicant: FieldDefinition[] = [
  coded('applicantKind', ['申请主体', 'Applicant kind'], 'applicant', c.applicantKinds, 'public'),
  field('name', ['姓名', 'Name'], 'applicant', s.personName, 'personal', {
    help: help('2–50个字符,可含中间点“·”', '2–50 characters; the middle dot “·” is allowed'),
  }),
  coded('idType', ['证件类型', 'ID document type'], 'applicant', c.idTypeLabels, 'personal'),
  field('idNumber', ['证件号码', 'ID number'], 'applicant', s.anyIdNumber, 'sensitive', {
    idTypeField: 'idType',
  }),
  coded('gender', ['性别', 'Gender'], 'applicant', c.genders, 'personal', {
    help: help(
      'GB/T 2261.1:1 男,2 女;由身份证号码推导',
      'GB/T 2261.1: 1 male, 2 female; derived from the resident ID',
    ),
  }),
  field(
    'ethnicity',
    ['民族', 'Ethnic group'],
    'applicant',
    { type: 'string', pattern: '^(0[1-9]|[1-4][0-9]|5[0-6]|9[78])$' },
    'personal',
    {
      help: help('GB/T 3304 两位代码', 'GB/T 3304 two-digit code'),
    },
  ),
  field('mobile', ['手机号码', 'Mobile number'], 'contact', s.mobile, 'sensitive', { format: 'mobile-cn' }),
  field('email', ['电子邮箱', 'Email'], 'contact', { type: 'string', maxLength: 100 }, 'personal', {
    format: 'email',
  }),
  coded('education', ['文化程度', 'Education'], 'employment', c.educationLevels, 'personal', {
    help: help('GB/T 4658 代码', 'GB/T 4658 code'),
  }),
  field('postalCode', ['邮政编码', 'Postal code'], 'address', { type: 'string' }, 'public', {
    format: 'postal-code-cn',
  }),
];

const enterprise: FieldDefinition[] = [
  ...identity('legalRep', '法定代表人', 'Legal representative', 'legalRep'),
  field(
    'legalRepMobile',
    ['法定代表人手机', 'Legal representative mobile'],
    'legalRep',
    s.mobile,
    'sensitive',
  ),
  field('companyName', ['企业名称', 'Enterprise name'], 'enterprise', s.text(4, 100), 'public', {
    help: help('行政区划+字号+行业+组织形式', 'City + trade name + industry + legal form'),
  }),
  field(
    'creditCode',
    ['统一社会信用代码', 'Unified social credit code'],
    'enterprise',
    s.creditCode,
    'public',
  ),
  coded('enterpriseType', ['企业类型', 'Enterprise type'], 'enterprise', c.enterpriseTypes, 'public'),
  field(
    'registeredCapital',
    ['注册资本(万元)', 'Registered capital (10,000 yuan)'],
    'enterprise',
    { ...s.positive, ...s.decimalPlaces(6) },
    'public',
  ),
  field(
    'businessScope',
    ['经营范围', 'Business scope'],
    'enterprise',
    { type: 'array', items: s.text(2, 100), minItems: 1, uniqueItems: true },
    'public',
    {
      help: help('从经营范围规范表述目录中选择', 'Entries of the standard business-scope catalogue'),
    },
  ),
  field(
    'investors',
    ['股东(出资人)', 'Investors'],
    'people',
    {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        properties: {
          name: s.text(2, 100),
          ...s.idDocument,
          creditCode: s.creditCode,
          subscribedAmount: s.positive,
          contributionMethod: s.oneOfCodes(c.contributionMethods),
          contributionDueDate: s.isoDate,
        },
        required: ['name', 'subscribedAmount', 'contributionMethod'],
        allOf: [
          ...s.idDocumentRules,
          // A person gives an ID document, an organisation its credit code: one of the two.
          { anyOf: [{ required: ['idNumber'] }, { required: ['creditCode'] }] },
        ],
        additionalProperties: false,
      },
    },
    'sensitive',
  ),
  field(
    'officers',
    ['董事、监事、经理', 'Directors, supervisors and managers'],
    'people',
    {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        properties: {
          name: s.personName,
          ...s.idDocument,
          officerRole: s.oneOfCodes(c.officerRoles),
        },
        required: ['name', 'idNumber', 'officerRole'],
        allOf: s.idDocumentRules,
        additionalProperties: false,
      },
    },
    'sensitive',
  ),
  field(
    'subscribedAmount',
    ['认缴出资额(万元)', 'Subscribed amount (10,000 yuan)'],
    'people',
    s.positive,
    'public',
  ),
  coded('contributionMethod', ['出资方式', 'Contribution method'], 'people', c.contributionMethods, 'public'),
  field('contributionDueDate', ['出资期限', 'Contribution due date'], 'people', s.isoDate, 'public', {
    format: 'date',
  }),
  coded('officerRole', ['职务', 'Role'], 'people', c.officerRoles, 'public'),
  field('financeOfficer', ['财务负责人', 'Finance officer'], 'tax', s.personBlock(true, true), 'sensitive'),
  field('taxHandler', ['办税人', 'Tax handler'], 'tax', s.personBlock(true, true), 'sensitive'),
  coded('invoiceTypes', ['发票种类', 'Invoice types'], 'tax', c.invoiceTypes, 'public', { many: true }),
  field('sealMaker', ['刻章企业', 'Seal maker'], 'enterprise', s.text(2, 100), 'public'),
  field('expectedStaff', ['预计用工人数', 'Expected staff'], 'insurance', s.count(0, 100000), 'public'),
  field(
    'hrContact',
    ['社保公积金联系人', 'Social insurance and housing fund contact'],
    'insurance',
    s.personBlock(false, true),
    'sensitive',
  ),
  field('fundRate', ['公积金缴存比例(%)', 'Housing fund rate (%)'], 'insurance', s.count(5, 12), 'public'),
  field('bankBranch', ['开户网点', 'Bank branch'], 'bank', s.text(2, 100), 'public'),
  field('bankDate', ['预约开户日期', 'Appointment date'], 'bank', s.isoDate, 'public', { format: 'date' }),
];

const addresses: FieldDefinition[] = [
  ...place('regionCode', 'address', '住所', 'Domicile'),
  ...place('homeRegion', 'homeAddress', '居住地', 'Home'),
  ...place('residenceRegion', 'residenceAddress', '居住地', 'Residence'),
  ...place('premisesRegion', 'premisesAddress', '经营场所', 'Premises'),
  ...place('siteRegion', 'siteAddress', '报装地址', 'Connection site'),
  field('postalAddress', ['邮寄地址', 'Postal address'], 'address', s.detailAddress, 'personal'),
  // Town-level items (就业登记、出生登记、预防接种) are decided by the town or street office (属地).
  town('householdRegion', '户籍所在镇（街道）', 'Household registration: town or street'),
  town('residenceTown', '居住地所在镇（街道）', 'Residence: town or street'),
];

// All of a child's data is sensitive (GOV-SERVICES 2.20, children under 14): masked for every
// reader but the guardian and the departments whose items need it in full (needsFull).
const newborn: FieldDefinition[] = [
  field('babyName', ['新生儿姓名', 'Baby name'], 'newborn', { ...s.personName, maxLength: 15 }, 'sensitive', {
    help: help('儿童个人信息,由监护人填写', "A child's personal information, entered by a guardian"),
  }),
  coded('babyGender', ['新生儿性别', 'Baby gender'], 'newborn', c.genders, 'sensitive'),
  field('babyBirthTime', ['出生时间', 'Time of birth'], 'newborn', { type: 'string' }, 'sensitive', {
    format: 'date-time',
  }),
  field(
    'babyEthnicity',
    ['新生儿民族', 'Baby ethnic group'],
    'newborn',
    { type: 'string', pattern: '^(0[1-9]|[1-4][0-9]|5[0-6]|9[78])$' },
    'sensitive',
  ),
  field(
    'birthCertNo',
    ['出生医学证明编号', 'Birth certificate number'],
    'newborn',
    s.text(5, 30),
    'sensitive',
  ),
  field(
    'babyIdNumber',
    ['新生儿公民身份号码', 'Baby citizen ID number'],
    'newborn',
    s.residentId,
    'sensitive',
    { format: 'resident-id' },
  ),
  ...identity('mother', '母亲', 'Mother', 'parents'),
  ...identity('father', '父亲', 'Father', 'parents'),
  coded(
    'hukouParent',
    ['随父/随母落户', 'Household of father or mother'],
    'parents',
    c.hukouParents,
    'personal',
  ),
  field('householderName', ['户主姓名', 'Householder name'], 'parents', s.personName, 'personal'),
  field(
    'relationToHouseholder',
    ['与户主关系', 'Relation to householder'],
    'parents',
    { type: 'string', pattern: '^[0-9]{2}$' },
    'personal',
    {
      help: help('GB/T 4761 家庭关系代码', 'GB/T 4761 family relation code'),
    },
  ),
  field('guardianName', ['监护人姓名', 'Guardian name'], 'parents', s.personName, 'personal'),
  field('guardianMobile', ['监护人手机', 'Guardian mobile'], 'parents', s.mobile, 'sensitive'),
  coded('cardDelivery', ['领卡方式', 'Card delivery'], 'insurance', c.cardDeliveries, 'public'),
  field('cardBank', ['社保卡合作银行', 'Card bank'], 'insurance', s.text(2, 50), 'public'),
];

const employment: FieldDefinition[] = [
  coded('employmentForm', ['就业形式', 'Kind of work'], 'employment', c.employmentForms, 'personal'),
  field('workDescription', ['从业内容', 'Work description'], 'employment', s.text(2, 100), 'personal'),
  field('employmentStart', ['就业开始日期', 'Employment start date'], 'employment', s.isoDate, 'personal', {
    format: 'date',
  }),
  coded(
    'pensionBaseTier',
    ['养老缴费档次', 'Pension contribution tier'],
    'insurance',
    c.pensionBaseTiers,
    'personal',
    {
      help: help('社平工资的百分比', 'Percent of the published average wage base'),
    },
  ),
  coded('medicalTier', ['医保缴费档次', 'Medical insurance tier'], 'insurance', c.medicalTiers, 'personal'),
  field(
    'startMonth',
    ['参保起始年月', 'First insured month'],
    'insurance',
    { type: 'string', pattern: '^[0-9]{4}-(0[1-9]|1[0-2])$' },
    'personal',
  ),
  field('bankName', ['扣款银行', 'Bank'], 'bank', s.text(2, 50), 'personal'),
  field('bankAccount', ['银行账号', 'Bank account number'], 'bank', { type: 'string' }, 'sensitive', {
    format: 'bank-account',
  }),
  field(
    'difficultyCertNo',
    ['就业困难人员认定编号', 'Employment-difficulty certificate number'],
    'employment',
    s.text(4, 40),
    'personal',
  ),
];

const restaurant: FieldDefinition[] = [
  field('shopName', ['店铺名称(字号)', 'Shop name'], 'restaurant', s.text(2, 50), 'public'),
  ...identity('operator', '经营者', 'Operator', 'legalRep'),
  field(
    'area',
    ['经营面积(m²)', 'Floor area (m²)'],
    'restaurant',
    { ...s.positive, maximum: 100000 },
    'public',
  ),
  field('seats', ['座位数', 'Seats'], 'restaurant', s.count(0, 100000), 'public'),
  field(
    'floor',
    ['所在楼层', 'Floor'],
    'restaurant',
    { type: 'integer', minimum: -10, maximum: 200 },
    'public',
    {
      help: help('地下楼层填负数', 'Negative for basement floors'),
    },
  ),
  coded('foodCategories', ['经营项目', 'Food categories'], 'restaurant', c.foodCategories, 'public', {
    many: true,
  }),
  field('onlineSales', ['网络经营', 'Online sales'], 'restaurant', { type: 'boolean' }, 'public'),
  field(
    'foodSafetyManager',
    ['食品安全管理人员', 'Food safety manager'],
    'restaurant',
    s.personBlock(true, true),
    'sensitive',
  ),
  field('staffCount', ['从业人员数', 'Staff count'], 'restaurant', s.count(1, 100000), 'public'),
  field('exits', ['安全出口数', 'Emergency exits'], 'fire', s.count(1, 100), 'public'),
  coded('fireFacilities', ['消防设施', 'Fire facilities'], 'fire', c.fireFacilities, 'public', {
    many: true,
  }),
  coded('cookingEnergy', ['能源', 'Cooking energy'], 'fire', c.cookingEnergies, 'public'),
  field('signWidth', ['招牌宽度(m)', 'Sign width (m)'], 'sign', s.positive, 'public'),
  field('signHeight', ['招牌高度(m)', 'Sign height (m)'], 'sign', s.positive, 'public'),
  field('signLit', ['招牌照明', 'Lit sign'], 'sign', { type: 'boolean' }, 'public'),
  field('signPosition', ['招牌位置', 'Sign position'], 'sign', s.text(2, 100), 'public'),
  field('dischargeM3PerDay', ['日排水量(m³)', 'Discharge (m³/day)'], 'restaurant', s.nonNegative, 'public'),
  field('greaseTrap', ['隔油设施', 'Grease trap'], 'restaurant', { type: 'boolean' }, 'public'),
  field('contactName', ['联系人', 'Contact name'], 'contact', s.personName, 'personal'),
  field('contactMobile', ['联系人手机', 'Contact mobile'], 'contact', s.mobile, 'sensitive'),
];

const utility: FieldDefinition[] = [
  field(
    'projectCode',
    ['项目代码', 'Project code'],
    'utility',
    { type: 'string', pattern: '^[0-9]{4}-[0-9]{6}-[0-9]{2}-[0-9]{2}-[0-9]{6}$' },
    'public',
  ),
  field(
    'planningPermitNo',
    ['建设工程规划许可证号', 'Planning permit number'],
    'utility',
    s.text(4, 50),
    'public',
  ),
  field('buildingArea', ['建筑面积(m²)', 'Building area (m²)'], 'utility', s.positive, 'public'),
  field('powerKw', ['用电容量(kW)', 'Capacity (kW)'], 'utility', s.positive, 'public'),
  coded('voltageLevel', ['电压等级', 'Voltage level'], 'utility', c.voltageLevels, 'public'),
  coded('loadType', ['用电类别', 'Load type'], 'utility', c.useCategories, 'public'),
  coded('waterPurpose', ['用水性质', 'Water use'], 'utility', c.waterPurposes, 'public'),
  coded('pipeDn', ['管径', 'Pipe size'], 'utility', c.pipeSizes, 'public'),
  field('waterM3PerDay', ['日用水量(m³)', 'Water use (m³/day)'], 'utility', s.positive, 'public'),
  coded('gasUse', ['用气类别', 'Gas use'], 'utility', c.useCategories, 'public'),
  field('gasPeakM3PerHour', ['高峰用气量(m³/h)', 'Peak gas use (m³/h)'], 'utility', s.positive, 'public'),
  field(
    'gasAppliances',
    ['燃具', 'Gas appliances'],
    'utility',
    { type: 'array', items: s.text(1, 50), minItems: 1 },
    'public',
  ),
  field('broadbandOperator', ['宽带运营商', 'Broadband operator'], 'utility', s.text(2, 50), 'public'),
  field('bandwidthMbps', ['带宽(Mbps)', 'Bandwidth (Mbps)'], 'utility', s.count(1, 100000), 'public'),
  field('lines', ['线路数', 'Lines'], 'utility', s.count(1, 1000), 'public'),
  field('expectedUseDate', ['期望用能日期', 'Expected start of use'], 'utility', s.isoDate, 'public', {
    format: 'date',
  }),
  field('roadName', ['道路名称', 'Road name'], 'road', s.text(2, 100), 'public'),
  field('digLengthM', ['挖掘长度(m)', 'Excavation length (m)'], 'road', s.positive, 'public'),
  field('digWidthM', ['挖掘宽度(m)', 'Excavation width (m)'], 'road', s.positive, 'public'),
  field('digStart', ['开工日期', 'Works start'], 'road', s.isoDate, 'public', { format: 'date' }),
  field('digEnd', ['完工日期', 'Works end'], 'road', s.isoDate, 'public', { format: 'date' }),
  field(
    'contractorCreditCode',
    ['施工单位统一社会信用代码', 'Contractor credit code'],
    'road',
    s.creditCode,
    'public',
  ),
  field(
    'contractorContact',
    ['施工单位联系人', 'Contractor contact'],
    'road',
    s.personBlock(false, true),
    'sensitive',
  ),
  field('greenAreaM2', ['占用绿地面积(m²)', 'Green land occupied (m²)'], 'road', s.nonNegative, 'public'),
  field('treesAffected', ['涉及树木(棵)', 'Trees affected'], 'road', s.count(0, 100000), 'public'),
];

export const shippedFields: readonly FieldDefinition[] = [
  ...applicant,
  ...enterprise,
  ...addresses,
  ...newborn,
  ...employment,
  ...restaurant,
  ...utility,
];
