/**
 * The user directory behind POST /api/auth/token: a JSON file of accounts with scrypt password
 * hashes. The shipped file (demo-users.json) holds the demo users of every role; a deployment
 * points ONETHING_USERS_FILE at its own.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Actor, Role } from '../../domain/actor.js';
import { ROLES } from '../../domain/actor.js';
import { verifyPassword } from './passwords.js';

export interface UserRecord {
  username: string;
  name: string;
  role: Role;
  department?: string;
  region?: string;
  venue?: string;
  /** Applicants: the identity number verified at registration (real-name authentication). */
  idNumber?: string;
  /** `scrypt$N$r$p$salt$hash` (passwords.ts). */
  password: string;
}

export const DEMO_USERS_FILE = fileURLToPath(new URL('./demo-users.json', import.meta.url));

/** A hash of a password nobody has: unknown users are checked against it so timing tells nothing. */
const DUMMY_HASH = 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';

export class UserDirectory {
  private readonly users = new Map<string, UserRecord>();

  constructor(users: UserRecord[]) {
    for (const u of users) {
      if (!u.username || !ROLES.includes(u.role) || typeof u.password !== 'string') {
        throw new Error(`user directory: bad entry ${JSON.stringify(u.username)}`);
      }
      if (u.role === 'department' && !u.department)
        throw new Error(`user directory: department user ${u.username} has no department`);
      if (this.users.has(u.username)) throw new Error(`user directory: duplicate user ${u.username}`);
      this.users.set(u.username, u);
    }
  }

  static fromFile(path: string = DEMO_USERS_FILE): UserDirectory {
    const raw = JSON.parse(readFileSync(path, 'utf8')) as { users?: UserRecord[] } | UserRecord[];
    return new UserDirectory(Array.isArray(raw) ? raw : (raw.users ?? []));
  }

  /** The actor for a username and password, or null; always does one scrypt. */
  async authenticate(username: string, password: string): Promise<Actor | null> {
    const user = this.users.get(username);
    const ok = await verifyPassword(password, user?.password ?? DUMMY_HASH);
    return ok && user ? actorOf(user) : null;
  }

  get(username: string): Actor | undefined {
    const user = this.users.get(username);
    return user ? actorOf(user) : undefined;
  }

  list(): Actor[] {
    return [...this.users.values()].map(actorOf);
  }
}

function actorOf(u: UserRecord): Actor {
  return {
    userId: u.username,
    name: u.name,
    role: u.role,
    ...(u.department ? { department: u.department } : {}),
    ...(u.region ? { region: u.region } : {}),
    ...(u.venue ? { venue: u.venue } : {}),
    ...(u.idNumber ? { idNumber: u.idNumber } : {}),
  };
}
