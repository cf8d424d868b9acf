/**
 * Material files over HTTP, on each real store the server uses: a SQLite file with the files under
 * the data directory, and the MongoDB-wire test server with GridFS. Upload, SHA-256 recorded,
 * download byte for byte, refusals (50 MB streamed, an executable named .pdf, a wrong material),
 * who may read a file (least necessary) and the audit entries.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { request, type IncomingHttpHeaders } from 'node:http';
import { join } from 'node:path';
import type { MongoStore } from '../../engine/src/store/index.js';
import { startCentreServer, type CentreServer } from './centre-fixture.js';
import { expectProblem } from './support.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON bodies of the API under test
type Json = any;

const pdf = Buffer.from(
  '%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n',
  'latin1',
);
/** A scan-sized PDF: many stream pieces and GridFS chunks, bytes that are not all alike. */
const scan = Buffer.concat([pdf, Buffer.from(Array.from({ length: 700_000 }, (_, i) => (i * 7919) % 251))]);
/** A 64-bit ELF header: what a disguised Linux executable starts with. */
const elf = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]), Buffer.alloc(4096)]);
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const MB = 1024 * 1024;

interface Sent {
  status: number;
  headers: IncomingHttpHeaders;
  bytes: Buffer;
  body: Json;
  /** How many body bytes the client wrote before the answer came. */
  sent: number;
}

/**
 * A request through node:http, the body written piece by piece with back-pressure; writing stops
 * as soon as the answer arrives (a refusal may come before the body is complete).
 */
async function send(
  s: Pick<CentreServer, 'token' | 'base'>,
  method: string,
  path: string,
  o: { as: string; headers?: Record<string, string>; body?: Buffer | AsyncIterable<Uint8Array> },
): Promise<Sent> {
  const token = await s.token(o.as);
  return new Promise<Sent>((resolve, reject) => {
    let sent = 0;
    let answered = false;
    const req = request(`${s.base}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...o.headers },
    });
    const responded = new Promise<void>((ok) =>
      req.on('response', (res) => {
        answered = true;
        ok();
        const parts: Buffer[] = [];
        res.on('data', (c: Buffer) => parts.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const bytes = Buffer.concat(parts);
          let body: Json = undefined;
          if (/json/.test(String(res.headers['content-type']))) body = JSON.parse(bytes.toString('utf8'));
          resolve({ status: res.statusCode!, headers: res.headers, bytes, body, sent });
          req.destroy();
        });
      }),
    );
    req.on('error', (err) => {
      if (!answered) reject(err);
    });
    void (async () => {
      const body = o.body;
      if (body && !(body instanceof Buffer)) {
        for await (const chunk of body as AsyncIterable<Uint8Array>) {
          if (answered || req.destroyed) return;
          sent += chunk.byteLength;
          if (!req.write(chunk)) await Promise.race([new Promise((ok) => req.once('drain', ok)), responded]);
        }
      } else if (body) {
        sent = body.length;
        req.write(body);
      }
      if (!answered && !req.destroyed) req.end();
    })().catch(reject);
  });
}

const upload = (
  s: Pick<CentreServer, 'token' | 'base'>,
  id: string,
  material: string,
  as: string,
  body: Buffer | AsyncIterable<Uint8Array>,
  headers: Record<string, string> = {},
) =>
  send(s, 'PUT', `/api/applications/${id}/materials/${material}/file`, {
    as,
    body,
    headers: {
      'content-type': 'application/pdf',
      ...(body instanceof Buffer ? { 'content-length': String(body.length) } : {}),
      ...headers,
    },
  });

const download = (s: Pick<CentreServer, 'token' | 'base'>, id: string, material: string, as: string) =>
  send(s, 'GET', `/api/applications/${id}/materials/${material}/file`, { as });

/** A PDF header then `total` more bytes in 1 MB pieces, all from one reused buffer (nothing this size is allocated). */
async function* fiftyMegabytes(total = 50 * MB): AsyncIterable<Uint8Array> {
  yield pdf;
  const piece = new Uint8Array(MB);
  for (let at = 0; at < total; at += MB) yield piece;
}

const stores: [string, { sqlite?: boolean; mongo?: boolean }][] = [
  ['SQLite file, files under the data directory', { sqlite: true }],
  ['MongoDB, GridFS', { mongo: true }],
];

describe.each(stores)('material files over HTTP: %s', (_name, storeOptions) => {
  let s: Awaited<ReturnType<typeof startCentreServer>>;
  beforeAll(async () => {
    s = await startCentreServer({ ...storeOptions, uploads: true });
  });
  afterAll(() => s.close());

  /** Every file the upload store keeps, by content address (temporary ones included). */
  async function kept(): Promise<string[]> {
    if (storeOptions.mongo) {
      const db = (s.store as MongoStore).connection.db!;
      const files = await db.collection('uploads.files').find().toArray();
      return files.map((f) => String(f.filename)).sort();
    }
    const dir = join(s.dataDir, 'uploads');
    if (!existsSync(dir)) return [];
    return readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((d) => d.isFile())
      .map((d) => `uploads/${join(d.parentPath, d.name).slice(dir.length + 1)}`)
      .sort();
  }

  it('the clerk uploads a scan: SHA-256, size and detected type recorded; it downloads byte for byte; the same file again changes nothing', async () => {
    const id = await s.caseIn('draft');
    const res = await upload(s, id, 'identityProof', 'clerk1', scan, {
      'content-disposition': `attachment; filename*=UTF-8''${encodeURIComponent('身份证明.pdf')}`,
    });
    expect(res.status).toBe(200);
    const path = `uploads/${sha256(scan).slice(0, 2)}/${sha256(scan)}.pdf`;
    expect(res.body).toMatchObject({
      id: 'identityProof',
      uploadSha256: sha256(scan),
      file: {
        sha256: sha256(scan),
        size: scan.length,
        mime: 'application/pdf',
        path,
        name: '身份证明.pdf',
        uploadedBy: 'clerk1',
      },
    });
    expect(await kept()).toEqual([path]);
    if (storeOptions.sqlite) expect(readFileSync(join(s.dataDir, path)).equals(scan)).toBe(true);

    const app = await s.ok('GET', `/api/applications/${id}`, { as: 'clerk1' });
    const entry = app.materials.find((m: Json) => m.id === 'identityProof');
    expect(entry.file.sha256).toBe(sha256(scan));
    expect(app.timeline.filter((e: Json) => e.type === 'material.uploaded')).toEqual([
      expect.objectContaining({
        data: { material: 'identityProof', sha256: sha256(scan), size: scan.length, mime: 'application/pdf' },
      }),
    ]);

    const got = await download(s, id, 'identityProof', 'clerk1');
    expect(got.status).toBe(200);
    expect(got.headers['content-type']).toBe('application/pdf');
    expect(got.headers['content-length']).toBe(String(scan.length));
    expect(got.headers['content-disposition']).toBe(
      `attachment; filename="____.pdf"; filename*=UTF-8''${encodeURIComponent('身份证明.pdf')}`,
    );
    expect(got.headers['cache-control']).toBe('private, no-store');
    expect(got.bytes.equals(scan)).toBe(true);

    const again = await upload(s, id, 'identityProof', 'clerk1', scan, {
      'content-disposition': 'attachment; filename="copy.pdf"',
    });
    expect(again.status).toBe(200);
    expect(again.body.file).toEqual(res.body.file);
    const after = await s.ok('GET', `/api/applications/${id}`, { as: 'clerk1' });
    expect(after.rev).toBe(app.rev);
    expect(await kept()).toEqual([path]);

    // Editing the draft rebuilds the materials list; a material that still applies keeps its file.
    const edited = await s.ok('PATCH', `/api/applications/${id}`, {
      as: 'clerk1',
      body: { answers: after.answers },
    });
    expect(edited.materials.find((m: Json) => m.id === 'identityProof').file).toEqual(res.body.file);
  });

  it('refuses a 50 MB upload while it streams (and at once when Content-Length says so), naming the material and the limit; nothing is kept', async () => {
    const id = await s.caseIn('draft');
    const before = await kept();

    const streamed = await upload(s, id, 'premisesProof', 'clerk1', fiftyMegabytes());
    const problem = expectProblem(
      {
        status: streamed.status,
        headers: new Headers(streamed.headers as Json),
        body: streamed.body,
        text: '',
      },
      413,
    );
    expect(problem.zh.detail).toBe('材料“住所使用证明”（premisesProof）：文件超过大小上限 20 MB');
    expect(problem.en.detail).toMatch(
      /^material ".+" \(premisesProof\): the file is larger than the limit of 20 MB$/,
    );
    expect(problem.errors).toEqual([expect.objectContaining({ field: 'file' })]);
    // Stopped near the limit, not read to the end.
    expect(streamed.sent).toBeLessThan(50 * MB);
    process.stdout.write(
      `50 MB upload: the client had written ${(streamed.sent / MB).toFixed(1)} MB when refused\n`,
    );

    const declared = await upload(s, id, 'premisesProof', 'clerk1', fiftyMegabytes(), {
      'content-length': String(pdf.length + 50 * MB),
    });
    expect(declared.status).toBe(413);
    expect(declared.body.en.detail).toMatch(/limit of 20 MB \(declared 50 MB\)$/);

    expect(await kept()).toEqual(before);
    const app = await s.ok('GET', `/api/applications/${id}`, { as: 'clerk1' });
    expect(app.materials.find((m: Json) => m.id === 'premisesProof').file).toBeUndefined();
  });

  it('refuses a .pdf that is really an executable, an undeclared type and a wrong material, each naming the material', async () => {
    const id = await s.caseIn('draft');
    const before = await kept();
    const exe = await upload(s, id, 'identityProof', 'clerk1', elf, {
      'content-disposition': `attachment; filename*=UTF-8''${encodeURIComponent('营业执照.pdf')}`,
    });
    expect(exe.status).toBe(415);
    expect(exe.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(exe.body.zh.detail).toBe(
      '材料“身份证明”（identityProof）：文件内容实际是ELF 可执行程序,不予接收;只接受:PDF 文档、JPEG 图片、PNG 图片、OFD 版式文档',
    );
    expect(exe.body.en.detail).toMatch(
      /\(identityProof\): The file is really an ELF executable and is refused/,
    );

    const zip = await upload(s, id, 'identityProof', 'clerk1', pdf, { 'content-type': 'application/zip' });
    expect(zip.status).toBe(415);
    expect(zip.body.errors).toEqual([expect.objectContaining({ field: 'Content-Type' })]);

    const renamed = await upload(s, id, 'identityProof', 'clerk1', pdf, { 'content-type': 'image/png' });
    expect(renamed.status).toBe(422);
    expect(renamed.body.en.detail).toMatch(
      /\(identityProof\): The file name "identityProof.png" does not match/,
    );

    const wrong = await upload(s, id, 'noSuchMaterial', 'clerk1', pdf);
    expect(wrong.status).toBe(404);
    expect(wrong.body.zh.detail).toBe(`办件 ${id} 没有材料 noSuchMaterial`);
    expect(wrong.body.errors).toEqual([expect.objectContaining({ field: 'materialId' })]);
    expect((await download(s, id, 'noSuchMaterial', 'clerk1')).status).toBe(404);
    expect((await download(s, id, 'identityProof', 'clerk1')).body.en.detail).toMatch(
      /\(identityProof\): no file has been uploaded/,
    );
    expect(await kept()).toEqual(before);
  });

  it('who may read a file: the accepting clerk, the applicant and the departments whose items need it; everyone else gets 404; every read is audited', async () => {
    const id = await s.caseIn('draft');
    // The applicant uploads on their own draft; another applicant cannot even find the case.
    const own = await upload(s, id, 'identityProof', 'applicant1', pdf);
    expect(own.status).toBe(200);
    expect(own.body.file.uploadedBy).toBe('applicant1');
    expect((await upload(s, id, 'identityProof', 'applicant2', scan)).status).toBe(404);
    expect((await download(s, id, 'identityProof', 'applicant2')).status).toBe(404);
    // Before acceptance no department sees the case.
    expect((await download(s, id, 'identityProof', 'market-regulation1')).status).toBe(404);
    expect((await upload(s, id, 'identityProof', 'market-regulation1', pdf)).status).toBe(403);

    await s.ok('POST', `/api/applications/${id}/submit`, { as: 'clerk1' });
    // Submitted, not yet accepted: still with the window, not with any department.
    expect((await download(s, id, 'identityProof', 'market-regulation1')).status).toBe(404);
    await s.ok('POST', `/api/applications/${id}/accept`, {
      as: 'clerk1',
      body: {
        materials: [
          { id: 'identityProof', status: 'provided', uploadSha256: sha256(pdf) },
          { id: 'premisesProof', status: 'provided' },
        ],
      },
    });
    // 远程流转: the deciding departments whose items list identity proof read it electronically.
    for (const reader of ['clerk1', 'applicant1', 'market-regulation1', 'tax1']) {
      const got = await download(s, id, 'identityProof', reader);
      expect([reader, got.status]).toEqual([reader, 200]);
      expect(got.bytes.equals(pdf)).toBe(true);
    }
    // Seal filing (public security) does not need identity proof; the clerk of another district has no part in the case.
    for (const outsider of ['public-security1', 'clerk2', 'applicant2']) {
      const got = await download(s, id, 'identityProof', outsider);
      expect([outsider, got.status]).toEqual([outsider, 404]);
    }
    // The case is with the departments now: the applicant may no longer change its files, the clerk may.
    expect((await upload(s, id, 'identityProof', 'applicant1', scan)).status).toBe(409);
    expect((await upload(s, id, 'identityProof', 'clerk1', scan)).status).toBe(200);

    const target = `application:${id}/material:identityProof`;
    const entries = (await s.audit.list({ limit: 500 })).items.filter((e) => e.target === target);
    const seen = (action: string, outcome: string) =>
      entries
        .filter((e) => e.action === action && e.outcome === outcome)
        .map((e) => e.actor.userId)
        .sort();
    expect(seen('materials.upload', 'ok')).toEqual(['applicant1', 'clerk1']);
    expect(seen('materials.upload', 'rejected')).toEqual(['applicant1', 'applicant2']);
    // A role refused before the request is read is audited against the case (no material parsed yet).
    const all = (await s.audit.list({ limit: 500 })).items;
    expect(
      all.filter((e) => e.action === 'materials.upload' && e.outcome === 'denied').map((e) => e.target),
    ).toEqual([`material-file:${id}`]);
    expect(seen('materials.download', 'ok')).toEqual(['applicant1', 'clerk1', 'market-regulation1', 'tax1']);
    expect(seen('materials.download', 'rejected')).toEqual([
      'applicant2',
      'applicant2',
      'clerk2',
      'market-regulation1',
      'market-regulation1',
      'public-security1',
    ]);
    // The log says who touched which file, never what is in it.
    expect(JSON.stringify(entries)).not.toContain('PDF-1.7');
  });
});

describe('material files in the API description', () => {
  it('documents upload and download with their types and refusals', async () => {
    const s = await startCentreServer({ sqlite: true, uploads: true });
    try {
      const doc = await s.ok('GET', '/api/openapi.json');
      const path = doc.paths['/api/applications/{id}/materials/{materialId}/file'];
      expect(Object.keys(path.put.requestBody.content)).toEqual([
        'application/pdf',
        'image/jpeg',
        'image/png',
        'application/ofd',
      ]);
      expect(Object.keys(path.put.responses)).toEqual(
        expect.arrayContaining(['200', '404', '409', '413', '415', '422']),
      );
      expect(path.get.operationId).toBe('materials.download');
    } finally {
      await s.close();
    }
  });
});
