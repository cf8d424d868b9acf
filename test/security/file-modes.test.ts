/**
 * What holds every case is readable by its owner only: the data directory SQLite creates (0700),
 * the database with its -wal and -shm (0600), and backups (0600 in a 0700 folder). A key file
 * others may read is warned about at start.
 */
import { chmodSync, existsSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createLogger } from '../../engine/src/http/logging.js';
import { backupSqlite } from '../../engine/src/security/backup.js';
import { generateDataKey, loadOrCreateDataKey } from '../../engine/src/security/data-key.js';
import { loadLicenceKeys } from '../../engine/src/server.js';
import { SqliteStore } from '../../engine/src/store/sqlite/index.js';
import { record } from '../store/records.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'onething-modes-'));
const modeOf = (path: string) => statSync(path).mode & 0o777;

describe('file modes', () => {
  it('SQLite creates its directory 0700 and the database, -wal and -shm 0600', async () => {
    const dir = join(tmp(), 'data');
    const store = new SqliteStore(join(dir, 'onething.db'));
    try {
      await store.createInstance(record('i1'));
      expect(modeOf(dir)).toBe(0o700);
      for (const suffix of ['', '-wal', '-shm']) {
        expect(existsSync(join(dir, `onething.db${suffix}`))).toBe(true);
        expect([suffix, modeOf(join(dir, `onething.db${suffix}`))]).toEqual([suffix, 0o600]);
      }
    } finally {
      await store.close();
    }
  });

  it('a backup is 0600, in a folder it creates 0700', async () => {
    const dir = tmp();
    const store = new SqliteStore(join(dir, 'onething.db'));
    await store.createInstance(record('i1'));
    await store.close();
    const report = await backupSqlite(join(dir, 'onething.db'), join(dir, 'backups', 'monday.db'));
    expect(modeOf(join(dir, 'backups'))).toBe(0o700);
    expect(modeOf(report.destination)).toBe(0o600);
  });
});

describe('key files others may read', () => {
  function capture() {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    return { lines, logger: createLogger({ level: 'warn', destination }) };
  }

  it('data.key: a warning naming the file, its mode and the chmod', () => {
    const dir = tmp();
    const file = join(dir, 'data.key');
    writeFileSync(file, generateDataKey().key.toString('base64'));
    chmodSync(file, 0o644);
    const warnings: string[] = [];
    loadOrCreateDataKey(dir, {}, (m) => warnings.push(m));
    expect(warnings).toEqual([expect.stringContaining(`${file} may be read by other users (mode 644)`)]);
    expect(warnings[0]).toContain(`chmod 600 ${file}`);

    chmodSync(file, 0o600);
    const none: string[] = [];
    loadOrCreateDataKey(dir, {}, (m) => none.push(m));
    expect(none).toEqual([]);
  });

  it('the e-licence signing key: the same warning in the server log', () => {
    const dir = tmp();
    const first = capture();
    loadLicenceKeys(dir, first.logger);
    const file = join(dir, 'licence-issuer.pem');
    expect(modeOf(file)).toBe(0o600);
    chmodSync(file, 0o640);
    const second = capture();
    loadLicenceKeys(dir, second.logger);
    expect(second.lines.join('')).toContain(`${file} may be read by other users (mode 640)`);
  });
});
