import type { Text } from '../library/index.js';

/** What a material upload may be. Limits are configuration: a deployment passes its own. */
export interface UploadPolicy {
  maxBytes: number;
  /** Allowed types by MIME, with the file-name extensions that may carry each. */
  types: Record<string, { extensions: string[]; label: Text }>;
}

export const defaultUploadPolicy: UploadPolicy = {
  maxBytes: 20 * 1024 * 1024,
  types: {
    'application/pdf': { extensions: ['pdf'], label: { zh: 'PDF 文档', en: 'PDF document' } },
    'image/jpeg': { extensions: ['jpg', 'jpeg'], label: { zh: 'JPEG 图片', en: 'JPEG image' } },
    'image/png': { extensions: ['png'], label: { zh: 'PNG 图片', en: 'PNG image' } },
    'application/ofd': { extensions: ['ofd'], label: { zh: 'OFD 版式文档', en: 'OFD document' } },
  },
};

export type UploadProblem = 'empty' | 'tooLarge' | 'unknownType' | 'typeNotAllowed' | 'nameMismatch';

/** Refusal with a message the clerk can read out: zh-CN first, English second. */
export class UploadRefused extends Error {
  constructor(
    readonly problem: UploadProblem,
    readonly text: Text,
  ) {
    super(`${text.zh} / ${text.en}`);
    this.name = 'UploadRefused';
  }
}

const round1 = (n: number) => Math.round(n * 10) / 10;
const mb = (n: number) =>
  n >= 1024 * 1024 ? `${round1(n / 1024 / 1024)} MB` : n >= 1024 ? `${round1(n / 1024)} KB` : `${n} B`;

/** Readable names for what executables and archives really are, so refusals say it plainly. */
const knownDanger: Record<string, Text> = {
  'application/x-elf': { zh: 'ELF 可执行程序', en: 'an ELF executable' },
  'application/x-msdownload': { zh: 'Windows 可执行程序', en: 'a Windows executable' },
  'application/x-mach-binary': { zh: 'macOS 可执行程序', en: 'a macOS executable' },
  'application/zip': { zh: 'ZIP 压缩包', en: 'a ZIP archive' },
};

export const refusal = {
  empty: () => new UploadRefused('empty', { zh: '上传的文件是空的', en: 'The uploaded file is empty' }),
  tooLarge: (limit: number) =>
    new UploadRefused('tooLarge', {
      zh: `文件超过大小上限 ${mb(limit)}`,
      en: `The file is larger than the limit of ${mb(limit)}`,
    }),
  unknownType: (allowed: string) =>
    new UploadRefused('unknownType', {
      zh: `无法识别文件类型;只接受:${allowed}`,
      en: `The file type cannot be recognised; accepted: ${allowed}`,
    }),
  typeNotAllowed: (mime: string, ext: string, allowed: { zh: string; en: string }) => {
    const what = knownDanger[mime] ?? {
      zh: `${ext.toUpperCase()} 文件(${mime})`,
      en: `a ${ext.toUpperCase()} file (${mime})`,
    };
    return new UploadRefused('typeNotAllowed', {
      zh: `文件内容实际是${what.zh},不予接收;只接受:${allowed.zh}`,
      en: `The file is really ${what.en} and is refused; accepted: ${allowed.en}`,
    });
  },
  nameMismatch: (name: string, actual: Text) =>
    new UploadRefused('nameMismatch', {
      zh: `文件名“${name}”与实际内容(${actual.zh})不符,请核对后重新上传`,
      en: `The file name "${name}" does not match its content (${actual.en}); check and upload again`,
    }),
};
