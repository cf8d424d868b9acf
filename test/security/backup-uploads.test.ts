/**
 * Backup and restore of a whole centre on the embedded store: `onething-admin backup` while the
 * server runs copies the SQLite file and the uploaded files it references; `restore` into an empty
 * data directory puts both back, and the restored centre serves the uploaded scan byte for byte.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../engine/src/security/admin-cli.js';
import { startCentreServer } from '../http/centre-fixture.js';

const pdf = Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n', 'latin1');
/** A scan-sized PDF (several read chunks), bytes not all alike. */
const scan = Buffer.concat([pdf, Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 7919) % 251))]);
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

function io() {
  const lines: string[] = [];
  return { lines, io: { out: (l: string) => lines.push(l), err: (l: string) => lines.push(l) } };
}

type Live = Awaited<ReturnType<typeof startCentreServer>>;

/** A draft on the live centre with the scan uploaded as its identity proof; its id. */
async function draftWithScan(live: Live): Promise<string> {
  const id = await live.caseIn('draft');
  const put = await fetch(`${live.base}/api/applications/${id}/materials/identityProof/file`, {
    method: 'PUT',
    headers: {
      authorization: `Bearer ${await live.token('clerk1')}`,
      'content-type': 'application/pdf',
      'content-disposition': 'attachment; filename="id.pdf"',
    },
    body: scan,
  });
  expect(put.status).toBe(200);
  return id;
}

/** `onething-admin backup` of the live centre's data directory; its exit code and last line. */
async function backUp(live: Live, backup: string) {
  const b = io();
  const env = { ONETHING_DATA_DIR: live.dataDir };
  const code = await main(['backup', backup, '--db', join(live.dataDir, 'test.db')], b.io, env);
  return { code, last: code === 0 ? JSON.parse(b.lines.at(-1)!) : undefined };
}

/** `onething-admin restore` into a new, empty data directory; the directory and the report. */
async function restoreFresh(backup: string) {
  const fresh = mkdtempSync(join(tmpdir(), 'onething-restored-'));
  const r = io();
  const code = await main(['restore', backup, '--db', join(fresh, 'test.db')], r.io, {
    ONETHING_DATA_DIR: fresh,
  });
  expect(code).toBe(0);
  return { fresh, report: JSON.parse(r.lines.find((l) => l.startsWith('{'))!) };
}

async function fileOf(
  s: { base: string; token: (as: string) => Promise<string> },
  id: string,
): Promise<Buffer> {
  const res = await fetch(`${s.base}/api/applications/${id}/materials/identityProof/file`, {
    headers: { authorization: `Bearer ${await s.token('clerk1')}` },
  });
  if (res.status !== 200) throw new Error(`download: ${res.status} ${await res.text()}`);
  return Buffer.from(await res.arrayBuffer());
}

const scanPath = `uploads/${sha256(scan).slice(0, 2)}/${sha256(scan)}.pdf`;
const newBackup = () => join(mkdtempSync(join(tmpdir(), 'onething-backup-files-')), 'centre.db');

describe('backup and restore of a centre with uploaded files', () => {
  it('a centre restored from an online backup downloads the uploaded scan byte for byte', async () => {
    const live = await startCentreServer({ sqlite: true, uploads: true });
    const backup = newBackup();
    let id: string;
    try {
      id = await draftWithScan(live);
      // While the server runs.
      const first = await backUp(live, backup);
      expect(first.code).toBe(0);
      expect(first.last.files).toMatchObject({ copied: 1, bytes: scan.length, missing: [] });
      expect(existsSync(join(`${backup}.files`, scanPath))).toBe(true);
      // A second backup to the same place needs --force.
      expect((await backUp(live, backup)).code).toBe(1);
    } finally {
      await live.close();
    }

    const { fresh, report } = await restoreFresh(backup);
    expect(report.files).toEqual({ copied: 1, bytes: scan.length, missing: [] });
    expect(readdirSync(join(fresh, 'uploads'), { recursive: true })).toHaveLength(2); // the folder and the file

    const restored = await startCentreServer({ sqlite: true, uploads: true, dataDir: fresh, bundles: [] });
    try {
      const app = await restored.ok('GET', `/api/applications/${id!}`, { as: 'clerk1' });
      expect(app.materials.find((m: { id: string }) => m.id === 'identityProof').file.sha256).toBe(
        sha256(scan),
      );
      expect((await fileOf(restored, id!)).equals(scan)).toBe(true);
    } finally {
      await restored.close();
    }
  });

  it('restore reports a referenced file that the backup lacks, so a broken backup is not taken for whole', async () => {
    const live = await startCentreServer({ sqlite: true, uploads: true });
    const backup = newBackup();
    try {
      await draftWithScan(live);
      expect((await backUp(live, backup)).code).toBe(0);
    } finally {
      await live.close();
    }
    rmSync(`${backup}.files`, { recursive: true });
    const { report } = await restoreFresh(backup);
    expect(report.files).toEqual({ copied: 0, bytes: 0, missing: [scanPath] });
  });
});
