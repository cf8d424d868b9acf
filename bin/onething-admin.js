#!/usr/bin/env node
// onething-admin: backup, restore, retention purge and data-key operations (engine/src/security/admin-cli.ts).
import process from 'node:process';
import { register } from 'tsx/esm/api';

register();

const { main } = await import('../engine/src/security/admin-cli.ts');
const code = await main(process.argv.slice(2));
process.stdout.write('', () => process.exit(code));
