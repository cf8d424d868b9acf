import { createHash, randomBytes } from 'node:crypto';
import { AEADS, type Aead, type CipherName } from '../crypto/aead.js';
import type { Sink } from './receive.js';

/**
 * Encryption at rest of uploaded files (ID cards, licences), with the data key the sensitive
 * database fields use and a random nonce per file: AES-256-GCM, or SM4 with HMAC-SM3 where the
 * keys say `sm4` (国密, ../crypto/aead.ts). A kept file is
 *
 *   "OTSEAL1\n" (8 bytes) · key id (8 ASCII hex) · nonce (12) · ciphertext · auth tag (16)   AES
 *   "OTSEAL2\n" (8 bytes) · key id (8 ASCII hex) · nonce (16) · ciphertext · HMAC-SM3 (32)  SM4
 *
 * the header being the additional data. The content address stays the SHA-256 of the
 * plaintext (same content, same file). Files kept before encryption was on have no marker and
 * are read as they are.
 *
 * Reading checks before it streams: one pass decrypts and verifies the tag and that the
 * plaintext's SHA-256 is the one in the file's address (clear files get the address check), a
 * second pass streams the plaintext, so no byte of a changed file ever reaches a client.
 */
export const SEAL_MARKER = Buffer.from('OTSEAL1\n', 'latin1');
const SM4_MARKER = Buffer.from('OTSEAL2\n', 'latin1');
/** The marker of each cipher's files (all of one length). */
const MARKERS: readonly { marker: Buffer; aead: Aead }[] = [
  { marker: SEAL_MARKER, aead: AEADS.aes },
  { marker: SM4_MARKER, aead: AEADS.sm4 },
];
export const SEAL_MARKERS = MARKERS.map((m) => m.marker);
const MARKER_BYTES = SEAL_MARKER.length;
const ID_BYTES = 8;
/** Enough to tell a file's marker, key id and nonce, whichever cipher sealed it. */
const LONGEST_HEADER = MARKER_BYTES + ID_BYTES + Math.max(...MARKERS.map((m) => m.aead.nonceBytes));

/** The keys files are sealed with (the engine's DataKeyring fits). */
export interface UploadKeys {
  current: { id: string; key: Buffer };
  /** Every key that may decrypt, by id. */
  byId: ReadonlyMap<string, Buffer>;
  /** What new files are sealed with (default AES-256-GCM). */
  cipher?: CipherName;
}

/** A kept file cannot be read: changed since it was stored, or sealed with a key no longer given. */
export class UploadUnreadable extends Error {
  readonly code = 'upload-unreadable';
  constructor(
    readonly path: string,
    readonly reason: 'tampered' | 'unknown-key',
    detail: string,
  ) {
    super(`uploaded file ${path} cannot be read: ${detail}`);
  }
}

/** Wraps a store's sink so that what it keeps is sealed with the current key and cipher. */
export function sealingSink(inner: Sink, keys: UploadKeys): Sink {
  const { marker, aead } = MARKERS.find((m) => m.aead.name === (keys.cipher ?? 'aes'))!;
  const nonce = randomBytes(aead.nonceBytes);
  const id = Buffer.from(keys.current.id, 'latin1');
  if (id.length !== ID_BYTES) throw new Error(`data key id must be ${ID_BYTES} characters`);
  const header = Buffer.concat([marker, id, nonce]);
  const sealer = aead.sealer(keys.current.key, nonce, header);
  let started = false;
  const begin = async () => {
    if (!started) await inner.write(header);
    started = true;
  };
  return {
    write: async (chunk) => {
      await begin();
      const out = sealer.update(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
      if (out.length) await inner.write(out);
    },
    keep: async (upload) => {
      await begin();
      const { rest, tag } = sealer.final();
      await inner.write(Buffer.concat([rest, tag]));
      await inner.keep(upload);
    },
    discard: () => inner.discard(),
  };
}

/** Reads `stream` into a head of at least `n` bytes (fewer if it ends) and the rest of it. */
async function split(stream: AsyncIterable<Uint8Array>, n: number) {
  const it = stream[Symbol.asyncIterator]();
  const parts: Buffer[] = [];
  let size = 0;
  while (size < n) {
    const next = await it.next();
    if (next.done) break;
    parts.push(Buffer.from(next.value));
    size += next.value.byteLength;
  }
  const head = Buffer.concat(parts);
  async function* rest(): AsyncIterable<Buffer> {
    for (;;) {
      const next = await it.next();
      if (next.done) return;
      yield Buffer.from(next.value);
    }
  }
  return { head, rest: rest() };
}

/** Yields what `chunks` hold but their last `keep` bytes, then hands those over. */
async function* holdingBack(
  chunks: AsyncIterable<Buffer>,
  keep: number,
  tail: (b: Buffer) => void,
): AsyncIterable<Buffer> {
  let held: Buffer = Buffer.alloc(0);
  for await (const chunk of chunks) {
    held = held.length ? Buffer.concat([held, chunk]) : chunk;
    if (held.length > keep) {
      yield held.subarray(0, held.length - keep);
      held = held.subarray(held.length - keep);
    }
  }
  tail(held);
}

/** The plaintext of one pass over a kept file; throws UploadUnreadable at the end if it is wrong. */
async function* plaintext(path: string, raw: AsyncIterable<Uint8Array>, keys: UploadKeys | undefined) {
  const { head, rest } = await split(raw, LONGEST_HEADER);
  const expected = /([0-9a-f]{64})\.[a-z0-9]+$/.exec(path)?.[1];
  const hash = createHash('sha256');
  const tampered = (detail: string) => new UploadUnreadable(path, 'tampered', detail);
  const sealed = MARKERS.find((m) => head.subarray(0, MARKER_BYTES).equals(m.marker));
  const headerBytes = sealed ? MARKER_BYTES + ID_BYTES + sealed.aead.nonceBytes : 0;
  if (!sealed || head.length < headerBytes) {
    // Kept before encryption was on: the bytes are the content.
    hash.update(head);
    yield head;
    for await (const chunk of rest) {
      hash.update(chunk);
      yield chunk;
    }
  } else {
    const { aead } = sealed;
    const id = head.subarray(MARKER_BYTES, MARKER_BYTES + ID_BYTES).toString('latin1');
    const key = keys?.byId.get(id);
    if (!key)
      throw new UploadUnreadable(path, 'unknown-key', `it is sealed with data key ${id}, which is not given`);
    const header = head.subarray(0, headerBytes);
    const opener = aead.opener(key, header.subarray(MARKER_BYTES + ID_BYTES), header);
    let tag: Buffer = Buffer.alloc(0);
    const body = (async function* () {
      if (head.length > headerBytes) yield head.subarray(headerBytes);
      yield* rest;
    })();
    for await (const chunk of holdingBack(body, aead.tagBytes, (t) => (tag = t))) {
      const out = opener.update(chunk);
      hash.update(out);
      yield out;
    }
    if (tag.length !== aead.tagBytes) throw tampered('it is cut short');
    let last: Buffer;
    try {
      last = opener.final(tag);
    } catch {
      throw tampered('the authentication tag does not match (changed after it was stored)');
    }
    hash.update(last);
    if (last.length) yield last;
  }
  if (expected && hash.digest('hex') !== expected)
    throw tampered('its content does not match the SHA-256 in its address');
}

/**
 * The plaintext of the file at `path`, checked whole before any byte is returned; undefined
 * when nothing is kept there. `open` gives a fresh raw stream each call.
 */
export async function readChecked(
  path: string,
  open: () => Promise<AsyncIterable<Uint8Array> | undefined>,
  keys: UploadKeys | undefined,
): Promise<AsyncIterable<Uint8Array> | undefined> {
  const first = await open();
  if (!first) return undefined;
  // The check pass: throws if anything is wrong.
  for await (const chunk of plaintext(path, first, keys)) void chunk;
  const second = await open();
  if (!second) return undefined;
  return plaintext(path, second, keys);
}
