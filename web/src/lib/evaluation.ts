/**
 * 好差评 indicators and tags (GOV-SERVICES 2.18): online channels rate overall, efficiency, guide
 * accuracy, convenience and platform usability; the window rates overall, efficiency, service
 * level and attitude. Tags depend on the level: praise for good ones, reasons for bad ones.
 */
import type { Text } from './problems.js';

export interface Indicator {
  id: string;
  label: Text;
}

const ind = (id: string, zh: string, en: string): Indicator => ({ id, label: { zh, en } });

const ONLINE: Indicator[] = [
  ind('overall', '总体评价', 'Overall'),
  ind('efficiency', '办事效率', 'Efficiency'),
  ind('guideAccuracy', '指南准确', 'Guide accuracy'),
  ind('convenience', '办事便利', 'Convenience'),
  ind('usability', '平台易用', 'Platform usability'),
];
const OFFLINE: Indicator[] = [
  ind('overall', '总体评价', 'Overall'),
  ind('efficiency', '办事效率', 'Efficiency'),
  ind('serviceLevel', '服务水平', 'Service level'),
  ind('attitude', '服务态度', 'Attitude'),
];

export function indicatorsFor(channel: string): Indicator[] {
  return channel === 'window' || channel === 'kiosk' ? OFFLINE : ONLINE;
}

const GOOD: Indicator[] = [
  ind('fast', '办理快捷', 'Quick'),
  ind('oneVisit', '最多跑一次', 'One visit at most'),
  ind('friendly', '态度热情', 'Friendly staff'),
  ind('clearGuide', '指引清楚', 'Clear guidance'),
];
const BAD: Indicator[] = [
  ind('slow', '办理时间长', 'Took too long'),
  ind('manyMaterials', '材料繁多', 'Too many materials'),
  ind('repeatVisits', '多次跑动', 'Had to come back'),
  ind('unclearGuide', '指引不清', 'Unclear guidance'),
  ind('attitude', '态度不好', 'Unfriendly staff'),
];

/** Tags offered for a level: praise for 4–5, reasons for 1–2, both for 3. */
export function evaluationTags(level: number): Indicator[] {
  if (level >= 4) return GOOD;
  if (level <= 2) return BAD;
  return [...GOOD.slice(0, 2), ...BAD.slice(0, 2)];
}
