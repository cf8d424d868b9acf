import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UploadRefused } from './policy.js';
import { storeUpload } from './store.js';

const pdf = Buffer.from(
  '%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n',
  'latin1',
);
const png = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489', 'hex');
/** A minimal 64-bit ELF header: what a disguised Linux executable starts with. */
const elf = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]), Buffer.alloc(56)]);
/** An OFD document is a ZIP whose first entry is OFD.xml. */
const ofd = Buffer.concat([
  Buffer.from('504b0304140000000800', 'hex'),
  Buffer.alloc(16),
  Buffer.from([7, 0, 0, 0]),
  Buffer.from('OFD.xml'),
  Buffer.alloc(40),
]);

let dataDir: string;
beforeEach(() => (dataDir = mkdtempSync(join(tmpdir(), 'onething-uploads-'))));
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

/** Every file left under dataDir/uploads, temporary ones included. */
const leftovers = () =>
  readdirSync(join(dataDir, 'uploads'), { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => d.name);

async function refusal(p: Promise<unknown>): Promise<UploadRefused> {
  try {
    await p;
  } catch (e) {
    if (e instanceof UploadRefused) return e;
    throw e;
  }
  throw new Error('expected the upload to be refused');
}

describe('storeUpload', () => {
  it('stores a PDF content-addressed by SHA-256', async () => {
    const stored = await storeUpload(pdf, '营业执照.pdf', dataDir);
    const sha256 = createHash('sha256').update(pdf).digest('hex');
    expect(stored).toEqual({
      sha256,
      size: pdf.length,
      mime: 'application/pdf',
      ext: 'pdf',
      path: join('uploads', sha256.slice(0, 2), `${sha256}.pdf`),
      originalName: '营业执照.pdf',
    });
    expect(readFileSync(join(dataDir, stored.path))).toEqual(pdf);
    expect((await storeUpload(pdf, 'again.PDF', dataDir)).path).toBe(stored.path);
    expect(leftovers()).toEqual([`${sha256}.pdf`]);
  });

  it('accepts images and OFD e-licence documents by their content', async () => {
    expect((await storeUpload(png, 'photo.png', dataDir)).mime).toBe('image/png');
    expect((await storeUpload(ofd, 'licence.ofd', dataDir)).mime).toBe('application/ofd');
  });

  it('refuses a 50 MB upload at the limit, without reading it all or leaving a file', async () => {
    let produced = 0;
    async function* fiftyMegabytes() {
      yield pdf;
      for (let i = 0; i < 50; i++) {
        produced += 1024 * 1024;
        yield new Uint8Array(1024 * 1024);
      }
    }
    const e = await refusal(storeUpload(fiftyMegabytes(), 'scan.pdf', dataDir));
    expect(e.problem).toBe('tooLarge');
    expect(e.text).toEqual({
      zh: '文件超过大小上限 20 MB',
      en: 'The file is larger than the limit of 20 MB',
    });
    expect(produced).toBeLessThanOrEqual(21 * 1024 * 1024);
    expect(leftovers()).toEqual([]);
  });

  it('refuses a .pdf that is really an ELF executable, saying so', async () => {
    const e = await refusal(storeUpload(elf, '营业执照.pdf', dataDir));
    expect(e.problem).toBe('typeNotAllowed');
    expect(e.text.zh).toBe(
      '文件内容实际是ELF 可执行程序,不予接收;只接受:PDF 文档、JPEG 图片、PNG 图片、OFD 版式文档',
    );
    expect(e.text.en).toBe(
      'The file is really an ELF executable and is refused; accepted: PDF document, JPEG image, PNG image, OFD document',
    );
    expect(leftovers()).toEqual([]);
  });

  it('refuses the node binary itself named as a PDF', async () => {
    const head = readFileSync(process.execPath).subarray(0, 8192);
    expect((await refusal(storeUpload(head, 'report.pdf', dataDir))).problem).toBe('typeNotAllowed');
  });

  it('refuses unknown content, empty files and a name that hides the real type', async () => {
    expect((await refusal(storeUpload(Buffer.from('just some text'), 'notes.pdf', dataDir))).problem).toBe(
      'unknownType',
    );
    expect((await refusal(storeUpload(new Uint8Array(0), 'empty.pdf', dataDir))).problem).toBe('empty');
    const mismatch = await refusal(storeUpload(png, 'contract.pdf', dataDir));
    expect(mismatch.problem).toBe('nameMismatch');
    expect(mismatch.text.en).toBe(
      'The file name "contract.pdf" does not match its content (PNG image); check and upload again',
    );
    expect(leftovers()).toEqual([]);
  });

  it('honours a deployment policy', async () => {
    const policy = {
      maxBytes: 10,
      types: { 'application/pdf': { extensions: ['pdf'], label: { zh: 'PDF', en: 'PDF' } } },
    };
    expect((await refusal(storeUpload(pdf, 'a.pdf', dataDir, policy))).text.en).toBe(
      'The file is larger than the limit of 10 B',
    );
  });
});
