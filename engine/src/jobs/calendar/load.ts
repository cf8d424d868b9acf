/**
 * Loading calendar files. The shipped files live in ./data; a deployment points
 * ONETHING_CALENDAR_DIR (or the `dirs` option) at its own directory, whose files replace shipped
 * files of the same region whole and may add regions. Whole-file replacement keeps the rule
 * simple to explain: what is in your file is what counts.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WorkingCalendar } from './calendar.js';
import { CalendarDataError, calendarFileProblems, type CalendarFile } from './data.js';

export const BUILTIN_CALENDAR_DIR = fileURLToPath(new URL('./data/', import.meta.url));
export const CALENDAR_DIR_ENV = 'ONETHING_CALENDAR_DIR';

/** The shipped directory, then any directories in ONETHING_CALENDAR_DIR (path-list separated). */
export function calendarDirs(env: Record<string, string | undefined> = process.env): string[] {
  const extra = (env[CALENDAR_DIR_ENV] ?? '').split(delimiter).filter((d) => d !== '');
  return [BUILTIN_CALENDAR_DIR, ...extra];
}

/** Reads every `*.json` in the directories; a later directory's file replaces an earlier one's region. */
export function readCalendarFiles(dirs: readonly string[]): CalendarFile[] {
  const byRegion = new Map<string, CalendarFile>();
  const problems: string[] = [];
  for (const dir of dirs) {
    let names: string[];
    try {
      names = readdirSync(dir).filter((n) => n.endsWith('.json'));
    } catch (err) {
      problems.push(`${dir}: cannot read the calendar directory (${(err as Error).message})`);
      continue;
    }
    for (const name of names.sort()) {
      const path = join(dir, name);
      let json: unknown;
      try {
        json = JSON.parse(readFileSync(path, 'utf8'));
      } catch (err) {
        problems.push(`${path}: ${(err as Error).message}`);
        continue;
      }
      const fileProblems = calendarFileProblems(json, path);
      const file = json as CalendarFile;
      const id = name.slice(0, -'.json'.length);
      // The file name is what a deployer sees when replacing a region, so it must agree.
      if (fileProblems.length === 0 && file.region !== id)
        fileProblems.push(`${path}: "region" is "${file.region}" but the file name says "${id}"`);
      problems.push(...fileProblems);
      if (fileProblems.length === 0) byRegion.set(file.region, file);
    }
  }
  if (problems.length > 0) throw new CalendarDataError(problems);
  return [...byRegion.values()];
}

export interface LoadCalendarOptions {
  /** Directories to read, in order; default: the shipped data and ONETHING_CALENDAR_DIR. */
  dirs?: readonly string[];
  /** Region used when a call names none; default "CN". */
  defaultRegion?: string;
}

export function loadCalendar(options: LoadCalendarOptions = {}): WorkingCalendar {
  return new WorkingCalendar(readCalendarFiles(options.dirs ?? calendarDirs()), options.defaultRegion);
}
