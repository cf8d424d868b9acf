/** Throughput of the compiled unified-form validators: `npx tsx forms/src/validate/bench.ts`. */
import { exampleCodes, readExampleBundle } from '../bundle/examples.js';
import { compileForm } from '../merge/index.js';
import { samples } from '../testing/samples.js';
import { validatorFor } from './validator.js';

const n = Number(process.argv[2] ?? 200_000);
for (const code of exampleCodes()) {
  const validate = validatorFor(compileForm(readExampleBundle(code)));
  const data = samples[code];
  for (let i = 0; i < n / 10; i++) validate(data); // warm up the JIT
  const started = process.hrtime.bigint();
  for (let i = 0; i < n; i++) validate(data);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  console.log(`${code.padEnd(22)} ${Math.round(n / seconds).toLocaleString('en')} validations/s`);
}
