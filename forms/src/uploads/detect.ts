import { fileTypeFromBuffer } from 'file-type';

/**
 * The real type from the first bytes (magic numbers), never from the name. OFD, the Chinese
 * fixed-layout format of e-licences, is a ZIP whose first entry is OFD.xml: file-type reports a
 * ZIP, so we look for that entry name in the local file header.
 */
export async function detectType(head: Uint8Array): Promise<{ mime: string; ext: string } | undefined> {
  const found = await fileTypeFromBuffer(head);
  if (
    found?.mime === 'application/zip' &&
    Buffer.from(head.subarray(30, 30 + 7)).toString('latin1') === 'OFD.xml'
  ) {
    return { mime: 'application/ofd', ext: 'ofd' };
  }
  return found ? { mime: found.mime, ext: found.ext } : undefined;
}

/** How many leading bytes detection needs (file-type's own sample size). */
export const detectionBytes = 4100;
