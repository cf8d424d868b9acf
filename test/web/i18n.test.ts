/** The web app's texts: every key in both languages with the same placeholders, and every key the pages use exists. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { en, placeholders, translate, zh } from '../../web/src/lib/i18n.js';
import { timeStatusStyle, remainingText } from '../../web/src/lib/time-status.js';
import { RECTIFICATION_STATUSES } from '../../engine/src/applications/rectification.js';

const src = fileURLToPath(new URL('../../web/src/', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return /\.tsx?$/.test(name) && !name.endsWith('.test.ts') ? [path] : [];
  });
}

test('every zh key has an en key and the other way round', () => {
  expect(Object.keys(en).filter((k) => !(k in zh))).toEqual([]);
  expect(Object.keys(zh).filter((k) => !(k in en))).toEqual([]);
});

test('both languages fill the same placeholders, and no text is empty', () => {
  for (const key of Object.keys(zh)) {
    expect({ key, en: placeholders(en[key]!) }).toEqual({ key, en: placeholders(zh[key]!) });
    expect(zh[key]!.trim()).not.toBe('');
    expect(en[key]!.trim()).not.toBe('');
  }
});

test('every literal key the pages pass to t() exists', () => {
  const used = new Set<string>();
  for (const file of sources(src)) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/\bt\(\s*'([a-zA-Z0-9_.-]+)'/g)) used.add(m[1]!);
    // t(cond ? 'a' : 'b'), label: 'time.red', key: 'nav.x'
    for (const m of text.matchAll(/\bt\([^()]*?\?\s*'([a-z][\w.-]+)'\s*:\s*'([a-z][\w.-]+)'/g))
      used.add(m[1]!).add(m[2]!);
    for (const m of text.matchAll(/\b(?:label|key): '([a-z]+\.[\w.-]+)'/g)) used.add(m[1]!);
  }
  expect(used.size).toBeGreaterThan(200);
  expect([...used].filter((k) => !(k in zh)).sort()).toEqual([]);
});

test('every key built from a domain value exists', () => {
  const families: Record<string, readonly (string | number)[]> = {
    status: [
      'draft',
      'submitted',
      'returned',
      'refused',
      'in-progress',
      'awaiting-supplement',
      'results-ready',
      'delivered',
      'evaluated',
      'terminated',
    ],
    item: ['reviewing', 'needs-supplement', 'approved', 'rejected', 'revoked', 'terminated'],
    mstatus: ['provided', 'eLicence', 'deferred', 'commitment', 'missing', 'notRequired'],
    deferral: ['pending', 'supplied', 'overdue'],
    channel: ['window', 'post', 'electronic', 'web', 'app', 'sms', 'qr', 'kiosk', 'hotline'],
    'eval.level': [1, 2, 3, 4, 5],
    rect: RECTIFICATION_STATUSES,
    event: [
      'created',
      'updated',
      'submitted',
      'resubmitted',
      'accepted',
      'returned',
      'refused',
      'corrected',
      'notice.issued',
      'supplemented',
      'supplement.requested',
      'task.claimed',
      'task.approved',
      'task.rejected',
      'postCheck.recorded',
      'results.ready',
      'delivered',
      'evaluated',
      'terminated',
      'timeLimit.normal',
      'timeLimit.yellow',
      'timeLimit.red',
    ],
    'clerk.tab': ['open', 'ready', 'front', 'closed', 'all'],
    'inbox.tab': ['todo', 'waiting', 'done'],
    review: ['approve', 'reject', 'supplement'],
    'review.do': ['approve', 'reject', 'supplement'],
    'review.check': ['confirmed', 'unverifiable', 'false'],
    role: ['clerk', 'department', 'supervisor', 'applicant', 'analyst'],
    notice: ['pre-acceptance', 'supplement'],
    commitment: ['deferral', 'proof', 'licence'],
    'materials.form': ['original', 'copy', 'electronic', 'both'],
    applicant: ['person', 'organisation'],
  };
  const missing: string[] = [];
  for (const [prefix, values] of Object.entries(families))
    for (const v of values) if (!(`${prefix}.${v}` in zh)) missing.push(`${prefix}.${v}`);
  for (const s of ['normal', 'yellow', 'red', 'other'])
    if (!(timeStatusStyle(s).label in zh)) missing.push(timeStatusStyle(s).label);
  for (const n of [undefined, -2, 0, 3])
    if (!(remainingText(n).key in zh)) missing.push(remainingText(n).key);
  expect(missing).toEqual([]);
});

test('translate fills placeholders and falls back to Chinese, then to the key', () => {
  expect(translate('zh', 'time.daysLeft', { n: 3 })).toBe('剩 3 个工作日');
  expect(translate('en', 'time.daysLeft', { n: 3 })).toBe('3 working days left');
  expect(translate('en', 'no.such.key')).toBe('no.such.key');
  expect(translate('zh', 'time.daysLeft')).toBe('剩 {n} 个工作日');
});
