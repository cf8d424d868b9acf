/**
 * The two ways OneThing seals data at rest, with one interface for a field (one shot) and a file
 * (a stream): encrypt, and a tag over the additional data and the ciphertext that a changed
 * byte, a moved value or a wrong key fails.
 *
 * - `aes`: AES-256-GCM (the default).
 * - `sm4`: the national algorithms (国密, GB/T 32907 SM4 and GB/T 32905 SM3) a deployment under
 *   MLPS level 3 and the commercial-cryptography assessment (密评) is asked for: SM4 in CTR mode,
 *   then HMAC-SM3 over the additional data and the ciphertext (encrypt-then-MAC; the OpenSSL
 *   that Node bundles has SM4 only in modes without a tag). The SM4 key and the HMAC key are
 *   derived from the 32-byte data key with HKDF-SM3, apart from each other.
 *
 * Both take the same data key, so switching is a setting (ONETHING_CIPHER) and a sealing pass;
 * what was sealed either way stays readable, each value or file saying which it is.
 */
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';

export type CipherName = 'aes' | 'sm4';
export const CIPHER_NAMES: readonly CipherName[] = ['aes', 'sm4'];

/** Sealing under way: ciphertext for each chunk, then the tag. */
export interface Sealer {
  update(chunk: Buffer): Buffer;
  final(): { rest: Buffer; tag: Buffer };
}

/** Opening under way: plaintext for each chunk (not to be trusted before `final`), then the check. */
export interface Opener {
  update(chunk: Buffer): Buffer;
  /** The last plaintext; throws when the tag does not match. */
  final(tag: Buffer): Buffer;
}

export interface Aead {
  name: CipherName;
  nonceBytes: number;
  tagBytes: number;
  sealer(dataKey: Buffer, nonce: Buffer, aad: Buffer): Sealer;
  opener(dataKey: Buffer, nonce: Buffer, aad: Buffer): Opener;
}

const aes: Aead = {
  name: 'aes',
  nonceBytes: 12,
  tagBytes: 16,
  sealer(dataKey, nonce, aad) {
    const cipher = createCipheriv('aes-256-gcm', dataKey, nonce).setAAD(aad);
    return {
      update: (chunk) => cipher.update(chunk),
      final: () => ({ rest: cipher.final(), tag: cipher.getAuthTag() }),
    };
  },
  opener(dataKey, nonce, aad) {
    const decipher = createDecipheriv('aes-256-gcm', dataKey, nonce).setAAD(aad);
    return {
      update: (chunk) => decipher.update(chunk),
      final: (tag) => {
        decipher.setAuthTag(tag);
        return decipher.final();
      },
    };
  },
};

const smKeys = new WeakMap<Buffer, { enc: Buffer; mac: Buffer }>();

/** The SM4 key (16 bytes) and the HMAC-SM3 key (32) of a data key: never the data key itself. */
function smKeysOf(dataKey: Buffer): { enc: Buffer; mac: Buffer } {
  let keys = smKeys.get(dataKey);
  if (!keys) {
    const derive = (info: string, bytes: number) =>
      Buffer.from(hkdfSync('sm3', dataKey, Buffer.alloc(0), info, bytes));
    keys = { enc: derive('onething sm4-ctr 1', 16), mac: derive('onething hmac-sm3 1', 32) };
    smKeys.set(dataKey, keys);
  }
  return keys;
}

/** HMAC-SM3 over the additional data's length, the additional data, the nonce, then the ciphertext. */
function macOf(key: Buffer, nonce: Buffer, aad: Buffer) {
  const length = Buffer.alloc(8);
  length.writeBigUInt64BE(BigInt(aad.length));
  return createHmac('sm3', key).update(length).update(aad).update(nonce);
}

const sm4: Aead = {
  name: 'sm4',
  nonceBytes: 16,
  tagBytes: 32,
  sealer(dataKey, nonce, aad) {
    const keys = smKeysOf(dataKey);
    const cipher = createCipheriv('sm4-ctr', keys.enc, nonce);
    const mac = macOf(keys.mac, nonce, aad);
    return {
      update: (chunk) => {
        const out = cipher.update(chunk);
        mac.update(out);
        return out;
      },
      final: () => {
        const rest = cipher.final();
        mac.update(rest);
        return { rest, tag: mac.digest() };
      },
    };
  },
  opener(dataKey, nonce, aad) {
    const keys = smKeysOf(dataKey);
    const decipher = createDecipheriv('sm4-ctr', keys.enc, nonce);
    const mac = macOf(keys.mac, nonce, aad);
    return {
      update: (chunk) => {
        mac.update(chunk);
        return decipher.update(chunk);
      },
      final: (tag) => {
        const expected = mac.digest();
        if (tag.length !== expected.length || !timingSafeEqual(tag, expected))
          throw new Error('the HMAC-SM3 tag does not match');
        return decipher.final();
      },
    };
  },
};

export const AEADS: Readonly<Record<CipherName, Aead>> = { aes, sm4 };

/** One shot: nonce-sized IV given, ciphertext and tag returned. */
export function sealOnce(aead: Aead, dataKey: Buffer, nonce: Buffer, aad: Buffer, plain: Buffer): Buffer {
  const s = aead.sealer(dataKey, nonce, aad);
  const body = s.update(plain);
  const { rest, tag } = s.final();
  return Buffer.concat([nonce, body, rest, tag]);
}

/** One shot: the payload `sealOnce` made; throws when it was changed or the key is wrong. */
export function openOnce(aead: Aead, dataKey: Buffer, aad: Buffer, payload: Buffer): Buffer {
  const nonce = payload.subarray(0, aead.nonceBytes);
  const o = aead.opener(dataKey, nonce, aad);
  const body = o.update(payload.subarray(aead.nonceBytes, payload.length - aead.tagBytes));
  return Buffer.concat([body, o.final(payload.subarray(payload.length - aead.tagBytes))]);
}

/** The cipher ONETHING_CIPHER names (default aes); anything else stops start-up naming it. */
export function cipherFromEnv(env: NodeJS.ProcessEnv = process.env): CipherName {
  const raw = env.ONETHING_CIPHER?.trim() || 'aes';
  if (!(CIPHER_NAMES as readonly string[]).includes(raw))
    throw new Error(`ONETHING_CIPHER must be one of ${CIPHER_NAMES.join(', ')}; got "${raw}"`);
  return raw as CipherName;
}
