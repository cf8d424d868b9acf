/** `npm run gen:types`: writes forms/generated/<code>.ts for every example bundle and the bundle.json schema. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { format, resolveConfig } from 'prettier';
import { bundleSchema } from '../bundle/index.js';
import { exampleCodes, readExampleBundle } from '../bundle/examples.js';
import { compileForm } from '../merge/index.js';
import { generateTypes } from './generate.js';

const formsDir = fileURLToPath(new URL('../../', import.meta.url));

mkdirSync(`${formsDir}generated`, { recursive: true });
for (const code of exampleCodes()) {
  const file = `${formsDir}generated/${code}.ts`;
  writeFileSync(file, await generateTypes(compileForm(readExampleBundle(code))));
  console.log(`wrote ${file}`);
}
mkdirSync(`${formsDir}schema`, { recursive: true });
const schemaFile = `${formsDir}schema/bundle.schema.json`;
writeFileSync(
  schemaFile,
  await format(JSON.stringify(bundleSchema), { ...(await resolveConfig(schemaFile)), filepath: schemaFile }),
);
console.log(`wrote ${schemaFile}`);
