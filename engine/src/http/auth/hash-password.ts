/** Prints the scrypt hash of a password for a users file: `npx tsx engine/src/http/auth/hash-password.ts <password>`. */
import { hashPassword } from './passwords.js';

const password = process.argv[2];
if (!password) {
  process.stderr.write('usage: hash-password.ts <password>\n');
  process.exit(2);
}
process.stdout.write(`${await hashPassword(password)}\n`);
