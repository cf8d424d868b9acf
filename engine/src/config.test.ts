/**
 * Settings from the environment: a value that is not understood stops start-up naming the
 * variable and what it takes (it was misread: ONETHING_TICK_MS=5s a 1 ms timer, ONETHING_TOKEN_TTL=1d
 * silently 8 hours, ONETHING_CORS_ORIGINS=notaurl accepted); an empty one counts as unset.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ConfigError, dbFileOf, serverConfig } from './config.js';
import { createLogger } from './http/logging.js';
import { start } from './server.js';

const BAD: [Record<string, string>, RegExp][] = [
  [{ ONETHING_TICK_MS: '5s' }, /^ONETHING_TICK_MS must be milliseconds .* from 50 to 86400000 .*; got "5s"$/],
  [{ ONETHING_TICK_MS: '0' }, /^ONETHING_TICK_MS must be .*; got "0"$/],
  [{ ONETHING_TOKEN_TTL: '1d' }, /^ONETHING_TOKEN_TTL must be seconds .* from 60 to 86400 .*; got "1d"$/],
  [{ ONETHING_TOKEN_TTL: '31536000' }, /^ONETHING_TOKEN_TTL must be .* to 86400 .*; got "31536000"$/],
  [{ PORT: 'abc' }, /^PORT must be a TCP port .* from 0 to 65535 .*; got "abc"$/],
  [{ PORT: '70000' }, /^PORT must be .*; got "70000"$/],
  [{ ONETHING_TRUST_PROXY: 'yes' }, /^ONETHING_TRUST_PROXY must be true, false, .*; "yes" is none of these$/],
  [{ ONETHING_TRUST_PROXY: '10.0.0.0/40' }, /^ONETHING_TRUST_PROXY .*"10\.0\.0\.0\/40" is none of these$/],
  [
    { LOG_LEVEL: 'verbose' },
    /^LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent; got "verbose"$/,
  ],
  [{ ONETHING_CORS_ORIGINS: 'notaurl' }, /^ONETHING_CORS_ORIGINS: "notaurl" is not an absolute URL$/],
  [{ ONETHING_CORS_ORIGINS: 'https://a.example/app' }, /^ONETHING_CORS_ORIGINS: .* must be an origin/],
  [{ ONETHING_CIPHER: 'sm2' }, /^ONETHING_CIPHER must be one of aes, sm4; got "sm2"$/],
];

describe('serverConfig', () => {
  test.each(BAD)('%j is refused, naming the variable', (env, message) => {
    expect(() => serverConfig(env)).toThrow(ConfigError);
    expect(() => serverConfig(env)).toThrow(message);
  });

  it('reads good values', () => {
    expect(
      serverConfig({
        PORT: '8080',
        HOST: '127.0.0.1',
        ONETHING_TICK_MS: '1000',
        ONETHING_TOKEN_TTL: '3600',
        ONETHING_TRUST_PROXY: 'loopback, 10.0.0.0/8,::1',
        ONETHING_CORS_ORIGINS: 'https://a.example, http://localhost:5173',
        LOG_LEVEL: 'debug',
        ONETHING_CIPHER: 'sm4',
      }),
    ).toMatchObject({
      port: 8080,
      host: '127.0.0.1',
      tickMs: 1000,
      tokenTtlSeconds: 3600,
      trustProxy: 'loopback,10.0.0.0/8,::1',
      corsOrigins: ['https://a.example', 'http://localhost:5173'],
      logLevel: 'debug',
      cipher: 'sm4',
    });
    expect(serverConfig({}).cipher).toBe('aes');
    expect(serverConfig({ ONETHING_TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(serverConfig({ ONETHING_TRUST_PROXY: 'false' }).trustProxy).toBe(false);
  });

  it('takes an empty or blank variable as unset', () => {
    const blank = {
      PORT: '',
      ONETHING_TICK_MS: ' ',
      ONETHING_TOKEN_TTL: '',
      LOG_LEVEL: '',
      ONETHING_TRUST_PROXY: ' ',
    };
    const config = serverConfig(blank);
    expect(config).toMatchObject({ port: 3000, tickMs: 5000, tokenTtlSeconds: 28800, logLevel: 'info' });
    expect(config.trustProxy).toBeUndefined();
    expect(serverConfig({ ONETHING_DATA_DIR: '' }).dataDir).toBe(resolve('data'));
    expect(dbFileOf({ ONETHING_DB: ' ', ONETHING_DATA_DIR: '/srv/centre' })).toBe('/srv/centre/onething.db');
    expect(dbFileOf({ ONETHING_DB: '/srv/db/x.db', ONETHING_DATA_DIR: '/srv/centre' })).toBe('/srv/db/x.db');
  });
});

describe('start()', () => {
  test.each(BAD.slice(0, 10))('stops on %j before it opens anything', async (bad, message) => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'onething-config-')), 'data');
    const env = {
      ONETHING_DATA_DIR: dataDir,
      ONETHING_EXAMPLES_DIR: join(dataDir, 'none'),
      PORT: '0',
      ...bad,
    };
    const outcome = await start(env, createLogger({ level: 'silent' })).then(
      async (running) => {
        await running.stop();
        return new Error('the server started');
      },
      (err: Error) => err,
    );
    expect(outcome.message).toMatch(message);
    expect(existsSync(dataDir)).toBe(false);
  });
});
