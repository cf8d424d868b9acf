import { createHash } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { detectionBytes, detectType } from './detect.js';
import { defaultUploadPolicy, refusal, type UploadPolicy } from './policy.js';

/**
 * Stores one material upload under <dataDir>/uploads, content-addressed by SHA-256. The bytes are
 * streamed to a temporary file while counted and hashed: an oversized upload is stopped at the
 * limit, never read whole. Nothing stays on disk when an upload is refused.
 */

export interface StoredUpload {
  sha256: string;
  size: number;
  mime: string;
  ext: string;
  /** Path relative to dataDir. */
  path: string;
  originalName: string;
}

export type UploadSource = Uint8Array | AsyncIterable<Uint8Array>;

async function* chunks(source: UploadSource): AsyncIterable<Uint8Array> {
  if (source instanceof Uint8Array) yield source;
  else yield* source;
}

const extensionOf = (name: string) =>
  name.includes('.') ? name.slice(name.lastIndexOf('.') + 1).toLowerCase() : '';

export async function storeUpload(
  source: UploadSource,
  originalName: string,
  dataDir: string,
  policy: UploadPolicy = defaultUploadPolicy,
): Promise<StoredUpload> {
  const dir = join(dataDir, 'uploads');
  await mkdir(dir, { recursive: true });
  const temp = join(dir, `.incoming-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`);
  const file = await open(temp, 'wx');
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
      await file.write(chunk);
    }
    await file.close();
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
    const path = join('uploads', sha256.slice(0, 2), `${sha256}.${rule.extensions[0]}`);
    await mkdir(join(dataDir, 'uploads', sha256.slice(0, 2)), { recursive: true });
    await rename(temp, join(dataDir, path)); // same content twice: same name, the second replaces the first
    return { sha256, size, mime: type.mime, ext: rule.extensions[0]!, path, originalName };
  } catch (e) {
    await file.close().catch(() => undefined);
    await rm(temp, { force: true });
    throw e;
  }
}
