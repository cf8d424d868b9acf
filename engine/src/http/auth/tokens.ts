/**
 * Bearer tokens: JWTs signed with HS256 (jose). The token carries the actor (role, department,
 * region, venue) so each request is scoped without a directory look-up; it expires after `ttl`.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import type { Actor, Role } from '../../domain/actor.js';
import { ROLES } from '../../domain/actor.js';

const ISSUER = 'onething';
const AUDIENCE = 'onething-api';

export interface IssuedToken {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
}

/** What a verified token says besides the actor: what revocation needs. */
export interface TokenClaims {
  actor: Actor;
  jti: string;
  /** Issued-at and expiry, seconds since the epoch. */
  iat: number;
  exp: number;
  /** The user's revocation epoch when the token was issued (auth/revocations.ts); 0 if none. */
  epoch: number;
}

export class TokenError extends Error {
  constructor(
    readonly reason: 'expired' | 'invalid' | 'revoked',
    message: string,
  ) {
    super(message);
  }
}

/** How long a verified token's claims are reused without checking its signature again. */
const VERIFIED_TTL_MS = 60_000;
/** Verified tokens remembered at most (a burst of new ones starts the memory afresh). */
const VERIFIED_MAX = 10_000;

export class TokenService {
  private readonly key: Uint8Array;
  /**
   * Claims of tokens verified in the last minute, by the exact token text: a client sends the same
   * token with every request, and the HMAC check was ~4% of a request. Only a token that passed
   * verification is ever stored, an entry is never used past the token's own expiry, and
   * revocation is checked on every request all the same (pipeline.ts authenticate).
   */
  private readonly verified = new Map<string, { claims: TokenClaims; until: number }>();

  constructor(
    secret: Uint8Array | string,
    /** Lifetime in seconds. */
    readonly ttl = 8 * 3600,
    private readonly clock: () => number = Date.now,
  ) {
    this.key = typeof secret === 'string' ? new TextEncoder().encode(secret) : secret;
    if (this.key.length < 32) throw new Error('the token secret must have at least 32 bytes');
  }

  /** `epoch`: the user's revocation epoch now; a later revoke-all raises it and refuses this token. */
  async issue(actor: Actor, epoch = 0): Promise<IssuedToken> {
    const jwt = await new SignJWT({
      ...(epoch ? { ep: epoch } : {}),
      name: actor.name,
      role: actor.role,
      ...(actor.department ? { dept: actor.department } : {}),
      ...(actor.region ? { region: actor.region } : {}),
      ...(actor.venue ? { venue: actor.venue } : {}),
      ...(actor.idNumber ? { idn: actor.idNumber } : {}),
    })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(actor.userId)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(`${this.ttl}s`)
      .setJti(randomUUID())
      .sign(this.key);
    return { access_token: jwt, token_type: 'Bearer', expires_in: this.ttl };
  }

  async verify(token: string): Promise<Actor> {
    return (await this.verifyClaims(token)).actor;
  }

  async verifyClaims(token: string): Promise<TokenClaims> {
    const now = this.clock();
    const known = this.verified.get(token);
    if (known) {
      if (known.until > now) return copyClaims(known.claims);
      this.verified.delete(token);
    }
    const claims = await this.verifyNow(token);
    if (this.verified.size >= VERIFIED_MAX) this.verified.clear();
    this.verified.set(token, { claims, until: Math.min(now + VERIFIED_TTL_MS, claims.exp * 1000) });
    return copyClaims(claims);
  }

  private async verifyNow(token: string): Promise<TokenClaims> {
    try {
      const { payload } = await jwtVerify(token, this.key, {
        issuer: ISSUER,
        audience: AUDIENCE,
        algorithms: ['HS256'],
        requiredClaims: ['exp', 'sub'],
      });
      const role = payload.role as Role;
      if (typeof payload.sub !== 'string' || !ROLES.includes(role))
        throw new TokenError('invalid', 'the token has no valid subject or role');
      const str = (v: unknown) => (typeof v === 'string' && v ? v : undefined);
      const department = str(payload.dept);
      const region = str(payload.region);
      const venue = str(payload.venue);
      const idNumber = str(payload.idn);
      const actor: Actor = {
        userId: payload.sub,
        name: str(payload.name) ?? payload.sub,
        role,
        ...(department ? { department } : {}),
        ...(region ? { region } : {}),
        ...(venue ? { venue } : {}),
        ...(idNumber ? { idNumber } : {}),
      };
      const jti = str(payload.jti);
      if (!jti) throw new TokenError('invalid', 'the token has no jti');
      const epoch = typeof payload.ep === 'number' && Number.isSafeInteger(payload.ep) ? payload.ep : 0;
      return { actor, jti, iat: payload.iat ?? 0, exp: payload.exp!, epoch };
    } catch (err) {
      if (err instanceof TokenError) throw err;
      if (err instanceof joseErrors.JWTExpired) throw new TokenError('expired', 'the token has expired');
      throw new TokenError('invalid', 'the token is not valid');
    }
  }
}

const copyClaims = (claims: TokenClaims): TokenClaims => ({ ...claims, actor: { ...claims.actor } });

/**
 * The signing secret: ONETHING_JWT_SECRET when set (≥ 32 characters), else a random key generated
 * once into `keyFile` (mode 0600) so tokens survive restarts; `warn` is told which it was.
 */
export function loadJwtSecret(options: {
  env?: NodeJS.ProcessEnv;
  keyFile: string;
  warn: (message: string) => void;
}): Uint8Array {
  const fromEnv = (options.env ?? process.env).ONETHING_JWT_SECRET;
  if (fromEnv) {
    if (fromEnv.length < 32) throw new Error('ONETHING_JWT_SECRET must have at least 32 characters');
    return new TextEncoder().encode(fromEnv);
  }
  if (existsSync(options.keyFile)) {
    const stored = readFileSync(options.keyFile, 'utf8').trim();
    const key = Buffer.from(stored, 'base64url');
    if (key.length >= 32) return new Uint8Array(key);
    throw new Error(`${options.keyFile} does not hold a key of at least 32 bytes`);
  }
  const key = randomBytes(32);
  mkdirSync(dirname(options.keyFile), { recursive: true });
  writeFileSync(options.keyFile, `${key.toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
  options.warn(
    `ONETHING_JWT_SECRET is not set: generated a signing key into ${options.keyFile}; set ONETHING_JWT_SECRET in production`,
  );
  return new Uint8Array(key);
}
