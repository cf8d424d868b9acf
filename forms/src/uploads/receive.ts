import { createHash } from 'node:crypto';
import { detectionBytes, detectType } from './detect.js';
import { refusal, type UploadPolicy } from './policy.js';

/**
 * The checks every upload store makes, whatever keeps the bytes: the stream is counted against
 * the size limit (an oversized upload is stopped there, never read whole), hashed with SHA-256,
 * and its first bytes kept to detect the real type, which must be allowed and match the file
 * name's extension. The bytes go to a Sink as they arrive; the sink keeps them under their
 * content address when every check passed and discards them otherwise, so nothing of a refused
 * upload stays behind.
 */

export interface StoredUpload {
  sha256: string;
  size: number;
  mime: string;
  ext: string;
  /** Content address, `uploads/<first two hex digits>/<sha256>.<ext>` (relative to the data directory on disk). */
  path: string;
  originalName: string;
}

export type UploadSource = Uint8Array | AsyncIterable<Uint8Array>;

/** Where a store puts the bytes while they are checked. */
export interface Sink {
  write(chunk: Uint8Array): Promise<void>;
  /** Every check passed: keep the bytes under `upload.path` (the same content twice keeps one copy). */
  keep(upload: StoredUpload): Promise<void>;
  /** A check failed or the source broke: remove whatever was written. */
  discard(): Promise<void>;
}

async function* chunks(source: UploadSource): AsyncIterable<Uint8Array> {
  if (source instanceof Uint8Array) yield source;
  else yield* source;
}

const extensionOf = (name: string) =>
  name.includes('.') ? name.slice(name.lastIndexOf('.') + 1).toLowerCase() : '';

export const contentPath = (sha256: string, ext: string) => `uploads/${sha256.slice(0, 2)}/${sha256}.${ext}`;

/** A content address as contentPath writes it; anything else (`..`, other folders) is not one. */
export const isContentPath = (path: string) =>
  /^uploads\/([0-9a-f]{2})\/\1[0-9a-f]{62}\.[a-z0-9]{1,8}$/.test(path);

export async function receive(
  source: UploadSource,
  originalName: string,
  policy: UploadPolicy,
  sink: Sink,
): Promise<StoredUpload> {
  const hash = createHash('sha256');
  const head: Uint8Array[] = [];
  let size = 0;
  let headSize = 0;
  try {
    for await (const chunk of chunks(source)) {
      size += chunk.byteLength;
      if (size > policy.maxBytes) throw refusal.tooLarge(policy.maxBytes);
      if (headSize < detectionBytes) {
        head.push(chunk);
        headSize += chunk.byteLength;
      }
      hash.update(chunk);
      await sink.write(chunk);
    }
    if (size === 0) throw refusal.empty();

    const allowed = Object.values(policy.types).map((t) => t.label);
    const allowedText = { zh: allowed.map((l) => l.zh).join('、'), en: allowed.map((l) => l.en).join(', ') };
    const type = await detectType(Buffer.concat(head).subarray(0, detectionBytes));
    if (!type) throw refusal.unknownType(`${allowedText.zh} / ${allowedText.en}`);
    const rule = policy.types[type.mime];
    if (!rule) throw refusal.typeNotAllowed(type.mime, type.ext, allowedText);
    if (!rule.extensions.includes(extensionOf(originalName)))
      throw refusal.nameMismatch(originalName, rule.label);

    const sha256 = hash.digest('hex');
    const ext = rule.extensions[0]!;
    const upload = { sha256, size, mime: type.mime, ext, path: contentPath(sha256, ext), originalName };
    await sink.keep(upload);
    return upload;
  } catch (e) {
    await sink.discard();
    throw e;
  }
}
