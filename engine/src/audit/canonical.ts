/**
 * Hashing over canonical JSON (keys sorted, no whitespace, undefined members left out), the
 * same canonical form the e-licence signatures use, so equal values always hash alike.
 */
import * as crypto from 'node:crypto';

export { canonicalJson } from '../licences/canonical.js';

/**
 * Node's one-shot digest (20.12 and later; not in our @types/node yet): `createHash` built a Hash
 * object per call whose constructor looked a command-line option up each time (≈ 1% of a request).
 */
const oneShot = (crypto as unknown as { hash?: (algorithm: string, data: string, encoding: 'hex') => string })
  .hash;

export function sha256Hex(text: string): string {
  return oneShot
    ? oneShot('sha256', text, 'hex')
    : crypto.createHash('sha256').update(text, 'utf8').digest('hex');
}
