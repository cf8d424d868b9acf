/**
 * The server's settings from the environment, read once before anything is opened. A variable
 * set to an empty or blank value counts as unset; one set to a value that is not understood
 * stops start-up with a ConfigError naming the variable and what it takes, instead of being
 * misread (ONETHING_TICK_MS=5s was a 1 ms timer, ONETHING_TOKEN_TTL=1d silently 8 hours).
 */
import { cipherFromEnv, type CipherName } from '../../forms/src/crypto/aead.js';
import { isIP } from 'node:net';
import { join, resolve } from 'node:path';
import { rateLimitsFromEnv, type RateLimits } from './http/rate-limit.js';
import { CONNECTOR_ORIGINS_ENV, parseAllowedOrigins } from './jobs/connector.js';

export type Env = Record<string, string | undefined>;

export class ConfigError extends Error {
  readonly code = 'config';
}

/** The variable's value without surrounding blanks; undefined when unset, empty or blank. */
export function envText(env: Env, name: string): string | undefined {
  return env[name]?.trim() || undefined;
}

/** ONETHING_DATA_DIR, else `data` under the working directory. */
export function dataDirOf(env: Env): string {
  return resolve(envText(env, 'ONETHING_DATA_DIR') ?? 'data');
}

/** ONETHING_DB, else onething.db in the data directory (as given: SQLite also takes `file:` URIs). */
export function dbFileOf(env: Env): string {
  return envText(env, 'ONETHING_DB') ?? join(envText(env, 'ONETHING_DATA_DIR') ?? 'data', 'onething.db');
}

/** A whole number from `min` to `max` (`what` says of what), `fallback` when unset. */
export function wholeNumberOf(
  env: Env,
  name: string,
  limits: { fallback: number; min: number; max: number; what: string; example: string },
): number {
  const raw = envText(env, name);
  if (raw === undefined) return limits.fallback;
  const n = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!(n >= limits.min && n <= limits.max))
    throw new ConfigError(
      `${name} must be ${limits.what}, a whole number from ${limits.min} to ${limits.max} ` +
        `(e.g. ${limits.example}); got "${raw}"`,
    );
  return n;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** LOG_LEVEL, `info` when unset. */
export function logLevelOf(env: Env): string {
  const raw = envText(env, 'LOG_LEVEL');
  if (raw === undefined) return 'info';
  if (!LOG_LEVELS.includes(raw))
    throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}; got "${raw}"`);
  return raw;
}

/** Names express's 'trust proxy' takes for address ranges. */
const PROXY_RANGES = ['loopback', 'linklocal', 'uniquelocal'];

function isAddressOrSubnet(entry: string): boolean {
  if (PROXY_RANGES.includes(entry)) return true;
  const [address = '', bits, ...more] = entry.split('/');
  const family = isIP(address);
  if (!family || more.length) return false;
  return bits === undefined || (/^\d+$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128));
}

/** ONETHING_TRUST_PROXY: true/false, a hop count, or comma-separated addresses/subnets (express). */
export function trustProxyOf(env: Env): boolean | number | string | undefined {
  const raw = envText(env, 'ONETHING_TRUST_PROXY');
  if (raw === undefined) return undefined;
  if (raw === 'true' || raw === 'false') return raw === 'true';
  if (/^\d+$/.test(raw)) return Number(raw);
  const entries = raw.split(',').map((s) => s.trim());
  const bad = entries.filter((e) => !isAddressOrSubnet(e));
  if (bad.length)
    throw new ConfigError(
      `ONETHING_TRUST_PROXY must be true, false, a number of proxy hops, or comma-separated addresses ` +
        `or subnets (e.g. 10.0.0.1, 10.0.0.0/8, loopback); "${bad.join('", "')}" is none of these`,
    );
  return entries.join(',');
}

/** ONETHING_CORS_ORIGINS: comma-separated origins (scheme://host[:port]); none when unset. */
export function corsOriginsOf(env: Env): string[] {
  try {
    return parseAllowedOrigins(envText(env, 'ONETHING_CORS_ORIGINS'));
  } catch (err) {
    // The connector allow-list's parser names its own variable.
    throw new ConfigError((err as Error).message.replace(CONNECTOR_ORIGINS_ENV, 'ONETHING_CORS_ORIGINS'));
  }
}

export interface ServerConfig {
  dataDir: string;
  port: number;
  host: string;
  /** How often the background tick runs, ms. */
  tickMs: number;
  tokenTtlSeconds: number;
  trustProxy?: boolean | number | string;
  corsOrigins: string[];
  connectorOrigins: string[];
  rateLimits: RateLimits | false;
  logLevel: string;
  /** What sensitive values and files are sealed with (ONETHING_CIPHER): aes or sm4 (国密). */
  cipher: CipherName;
}

/** Every setting `npm start` reads from the environment (see server.ts), checked. */
export function serverConfig(env: Env): ServerConfig {
  const trustProxy = trustProxyOf(env);
  return {
    dataDir: dataDirOf(env),
    port: wholeNumberOf(env, 'PORT', {
      fallback: 3000,
      min: 0,
      max: 65535,
      what: 'a TCP port (0: any free one)',
      example: '3000',
    }),
    host: envText(env, 'HOST') ?? '0.0.0.0',
    tickMs: wholeNumberOf(env, 'ONETHING_TICK_MS', {
      fallback: 5000,
      min: 50,
      max: 86_400_000,
      what: 'milliseconds between background rounds',
      example: '5000',
    }),
    tokenTtlSeconds: wholeNumberOf(env, 'ONETHING_TOKEN_TTL', {
      fallback: 8 * 3600,
      min: 60,
      max: 24 * 3600,
      what: 'seconds a sign-in token is valid',
      example: '28800 for 8 hours',
    }),
    ...(trustProxy !== undefined ? { trustProxy } : {}),
    corsOrigins: corsOriginsOf(env),
    connectorOrigins: parseAllowedOrigins(envText(env, CONNECTOR_ORIGINS_ENV)),
    rateLimits: rateLimitsFromEnv(env),
    logLevel: logLevelOf(env),
    cipher: cipherOf(env),
  };
}

function cipherOf(env: Env): CipherName {
  try {
    return cipherFromEnv(env);
  } catch (err) {
    throw new ConfigError((err as Error).message);
  }
}
