#!/usr/bin/env node
// The onething CLI: runs the TypeScript sources directly through tsx (no build step).
import process from 'node:process';
import { register } from 'tsx/esm/api';

register();

const { main } = await import('../engine/src/cli.ts');
const code = await main(process.argv.slice(2));
// Exit once stdout has drained, even if something left a handle open: the CLI must never hang.
process.stdout.write('', () => process.exit(code));
