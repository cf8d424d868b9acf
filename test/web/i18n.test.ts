/** The web app's texts: every key in both languages with the same placeholders, and every key the pages use exists. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { en, placeholders, translate, zh } from '../../web/src/lib/i18n.js';
import { timeStatusStyle, remainingText } from '../../web/src/lib/time-status.js';
import { RECTIFICATION_STATUSES } from '../../engine/src/applications/rectification.js';
import { APPLICATION_STATUSES } from '../../engine/src/applications/types.js';

const src = fileURLToPath(new URL('../../web/src/', import.meta.url));
const engineApplications = fileURLToPath(new URL('../../engine/src/applications/', import.meta.url));

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
    status: APPLICATION_STATUSES,
    item: ['reviewing', 'needs-supplement', 'approved', 'rejected', 'revoked', 'terminated'],
    mstatus: ['provided', 'eLicence', 'deferred', 'commitment', 'missing', 'notRequired'],
    deferral: ['pending', 'supplied', 'overdue'],
    channel: ['window', 'post', 'electronic', 'web', 'app', 'sms', 'qr', 'kiosk', 'hotline'],
    'eval.level': [1, 2, 3, 4, 5],
    rect: RECTIFICATION_STATUSES,
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

/** Timeline types the engine builds from a template: the values each template's variable takes. */
const TEMPLATE_TYPES: Record<string, readonly string[]> = {
  'timeLimit.': ['normal', 'yellow', 'red'], // TimeLimitStatus
  'task.': ['approved', 'rejected'], // a department's decision
};

/**
 * The timeline types engine/src/applications records on a case: each `record(…)` call's type
 * argument, its string literals (both sides of a `?:`) or a known template expanded. A type built
 * any other way is returned as `unreadable`, so a new template is added above, not left unlabelled.
 * Rectification cases keep a timeline of their own, labelled on their page (rectifications.tsx).
 */
function engineTimelineTypes(): { types: Set<string>; unreadable: string[] } {
  const types = new Set<string>();
  const unreadable: string[] = [];
  const files = readdirSync(engineApplications).filter(
    (name) => name.endsWith('.ts') && !name.endsWith('.test.ts') && name !== 'rectification.ts',
  );
  for (const name of files) {
    const text = readFileSync(join(engineApplications, name), 'utf8');
    // record(app, actor, at, type…: the fourth argument, up to its comma or the closing parenthesis.
    for (const call of text.matchAll(/(?<![.\w]|function )record\((?:[^,()]+,){3}\s*([^,)]+)/g)) {
      const arg = call[1]!.trim();
      const literals = [...arg.matchAll(/'([^']+)'/g)].map((m) => m[1]!);
      const template = /^`([^`$]*)\$\{[^}]+\}`$/.exec(arg)?.[1];
      const expanded = template !== undefined ? TEMPLATE_TYPES[template]?.map((v) => template + v) : [];
      if (!literals.length && !expanded?.length) unreadable.push(`${name}: ${arg}`);
      for (const type of [...literals, ...(expanded ?? [])]) types.add(type);
    }
  }
  return { types, unreadable };
}

test('every timeline type the engine records has a label (event.<type>)', () => {
  const { types, unreadable } = engineTimelineTypes();
  expect(unreadable).toEqual([]);
  // The scan finds the calls: a few types every case has, and the template families.
  expect([...types]).toEqual(
    expect.arrayContaining(['created', 'accepted', 'supplement.withdrawn', 'timeLimit.red', 'task.approved']),
  );
  expect([...types].filter((type) => !(`event.${type}` in zh) || !(`event.${type}` in en)).sort()).toEqual(
    [],
  );
});

test('translate fills placeholders and falls back to Chinese, then to the key', () => {
  expect(translate('zh', 'time.daysLeft', { n: 3 })).toBe('剩 3 个工作日');
  expect(translate('en', 'time.daysLeft', { n: 3 })).toBe('3 working days left');
  expect(translate('en', 'no.such.key')).toBe('no.such.key');
  expect(translate('zh', 'time.daysLeft')).toBe('剩 {n} 个工作日');
});
