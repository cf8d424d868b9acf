/**
 * Hashing over canonical JSON (keys sorted, no whitespace, undefined members left out), the
 * same canonical form the e-licence signatures use, so equal values always hash alike.
 */
import { createHash } from 'node:crypto';

export { canonicalJson } from '../licences/canonical.js';

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
