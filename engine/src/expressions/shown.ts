/**
 * FEEL results in messages that staff read (incidents): the values are the instance's variables,
 * personal data as often as not, so a message says what kind of value it was, and a FEEL error
 * loses the values it quotes.
 */
import { scrubText } from '../security/scrub.js';

/**
 * A FEEL error as a message may show it: feelin quotes the values a function could not use
 * (`date('"440402…"') is not a valid date`), so everything between the first and the last quote
 * goes; the scrubber masks what is left to be sure.
 */
export function feelErrorShown(message: string): string {
  const first = message.indexOf("'");
  const last = message.lastIndexOf("'");
  const masked =
    first >= 0 && last > first ? `${message.slice(0, first)}'…'${message.slice(last + 1)}` : message;
  return scrubText(masked);
}

/** What a FEEL value is, for a message that must not show the value itself. */
export function valueKind(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return `a string of ${count([...value].length, 'character')}`;
  if (typeof value === 'number') return 'a number';
  if (typeof value === 'boolean') return 'a boolean';
  if (Array.isArray(value)) return `a list of ${count(value.length, 'item')}`;
  if (typeof value === 'object') return 'a context';
  return `a ${typeof value}`;
}

const count = (n: number, noun: string): string => `${n} ${noun}${n === 1 ? '' : 's'}`;
