import type { ErrorObject } from 'ajv';
import type { Text } from '../library/index.js';
import { checkCreditCode } from './formats/credit-code.js';
import { checkResidentId } from './formats/resident-id.js';

/** zh-CN and English messages per ajv keyword; the field's label is put in front by the validator. */

const formatText: Record<string, Text> = {
  'mobile-cn': {
    zh: '不是有效的手机号码(11位,以13–19开头)',
    en: 'is not a valid mainland mobile number (11 digits starting 13–19)',
  },
  'postal-code-cn': { zh: '不是有效的邮政编码(6位数字)', en: 'is not a valid postal code (6 digits)' },
  'division-code': { zh: '不是有效的行政区划代码', en: 'is not a valid administrative-division code' },
  'bank-account': {
    zh: '不是有效的银行账号(仅限数字)',
    en: 'is not a valid bank account number (digits only)',
  },
  email: { zh: '不是有效的电子邮箱', en: 'is not a valid email address' },
  date: { zh: '不是有效的日期(YYYY-MM-DD)', en: 'is not a valid date (YYYY-MM-DD)' },
  'date-time': { zh: '不是有效的日期时间', en: 'is not a valid date and time' },
};

const residentIdText = {
  shape: { zh: '不是18位居民身份证号码', en: 'is not an 18-character resident ID number' },
  region: { zh: '居民身份证号码的地区码无效', en: 'has an invalid region code in the resident ID number' },
  birthDate: {
    zh: '居民身份证号码中的出生日期无效',
    en: 'has an impossible birth date in the resident ID number',
  },
  checksum: { zh: '居民身份证号码校验码错误', en: 'has a wrong check character in the resident ID number' },
};

const creditCodeText = {
  shape: { zh: '不是18位统一社会信用代码', en: 'is not an 18-character unified social credit code' },
  region: {
    zh: '统一社会信用代码的地区码无效',
    en: 'has an invalid region code in the unified social credit code',
  },
  checksum: {
    zh: '统一社会信用代码校验码错误',
    en: 'has a wrong check character in the unified social credit code',
  },
};

function formatMessage(format: string, value: unknown): Text {
  const s = typeof value === 'string' ? value : '';
  if (format === 'resident-id') {
    const r = checkResidentId(s);
    return r.ok ? residentIdText.shape : residentIdText[r.problem];
  }
  if (format === 'credit-code') {
    const r = checkCreditCode(s);
    return r.ok ? creditCodeText.shape : creditCodeText[r.problem];
  }
  return formatText[format] ?? { zh: `格式不正确(${format})`, en: `does not match the format ${format}` };
}

const typeNames: Record<string, Text> = {
  string: { zh: '文本', en: 'text' },
  number: { zh: '数字', en: 'a number' },
  integer: { zh: '整数', en: 'a whole number' },
  boolean: { zh: '是/否', en: 'yes or no' },
  array: { zh: '列表', en: 'a list' },
  object: { zh: '对象', en: 'an object' },
};

export function keywordMessage(e: ErrorObject, value: unknown): Text {
  const p = e.params as Record<string, unknown>;
  const n = p.limit as number;
  switch (e.keyword) {
    case 'required':
      return { zh: '为必填项', en: 'is required' };
    case 'format':
      return formatMessage(p.format as string, value);
    case 'minLength':
      return { zh: `不能少于${n}个字符`, en: `must have at least ${n} characters` };
    case 'maxLength':
      return { zh: `不能超过${n}个字符`, en: `must have at most ${n} characters` };
    case 'minimum':
      return { zh: `不能小于${n}`, en: `must be at least ${n}` };
    case 'maximum':
      return { zh: `不能大于${n}`, en: `must be at most ${n}` };
    case 'exclusiveMinimum':
      return { zh: `必须大于${n}`, en: `must be greater than ${n}` };
    case 'exclusiveMaximum':
      return { zh: `必须小于${n}`, en: `must be less than ${n}` };
    case 'minItems':
      return { zh: `至少填写${n}项`, en: `needs at least ${n} entries` };
    case 'maxItems':
      return { zh: `最多填写${n}项`, en: `allows at most ${n} entries` };
    case 'uniqueItems':
      return { zh: '有重复项', en: 'has duplicate entries' };
    case 'enum':
      return { zh: '不是可选的值', en: 'is not one of the allowed values' };
    case 'const':
      return { zh: '取值不正确', en: 'has the wrong value' };
    case 'pattern':
      return { zh: '格式不正确', en: 'has the wrong format' };
    case 'decimalPlaces':
      return { zh: `最多${n}位小数`, en: `must have at most ${n} decimal places` };
    case 'multipleOf':
      return {
        zh: `必须是${p.multipleOf as number}的整数倍(小数位过多)`,
        en: `must be a multiple of ${p.multipleOf as number} (too many decimals)`,
      };
    case 'type': {
      const t = typeNames[p.type as string] ?? { zh: String(p.type), en: String(p.type) };
      return { zh: `应为${t.zh}`, en: `must be ${t.en}` };
    }
    case 'additionalProperties':
      return { zh: '不是本表单的字段', en: 'is not a field of this form' };
    default:
      return { zh: '填写有误', en: 'is invalid' };
  }
}
