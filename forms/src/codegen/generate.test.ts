import { readFileSync } from 'node:fs';
import ts from 'typescript';
import { exampleCodes, readExampleBundle } from '../bundle/examples.js';
import { compileForm } from '../merge/index.js';
import { samples } from '../testing/samples.js';
import { generateTypes, typeName } from './generate.js';

/**
 * Type-checks in-memory files with the real compiler, all in one program (loading the standard
 * library is the slow part); returns each file's diagnostics. Each file holds the generated
 * types followed by the checks, so no module resolution is involved.
 */
function typeErrors(files: Record<string, string>): Record<string, string[]> {
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const read = host.getSourceFile.bind(host);
  host.getSourceFile = (name, lang, onError) =>
    name in files ? ts.createSourceFile(name, files[name]!, lang) : read(name, lang, onError);
  const program = ts.createProgram(Object.keys(files), options, host);
  const out: Record<string, string[]> = Object.fromEntries(Object.keys(files).map((f) => [f, []]));
  for (const d of ts.getPreEmitDiagnostics(program)) {
    if (d.file && d.file.fileName in out)
      out[d.file.fileName]!.push(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
  }
  return out;
}

const generated = new Map<string, string>();
let errors: Record<string, string[]> = {};

beforeAll(async () => {
  const files: Record<string, string> = {};
  for (const code of exampleCodes()) {
    const form = compileForm(readExampleBundle(code));
    const types = await generateTypes(form);
    const textField = form.fields.find((f) => f.schema.type === 'string' && !f.schema.enum)!.id;
    generated.set(code, types);
    const name = typeName(code);
    const sample = JSON.stringify(samples[code]);
    files[`/virtual/${code}.ts`] = [
      types,
      `export const ok: ${name} = ${sample};`,
      `export const unknownField: ${name} = { ...${sample}, favouriteColour: 'blue' };`,
      `export const wrongType: ${name} = { ...${sample}, ${textField}: 42 };`,
    ].join('\n');
  }
  files['/virtual/use.ts'] = [
    generated.get('business-startup')!,
    `declare const f: BusinessStartupForm;`,
    `export const capital: number = f.registeredCapital;`,
    `export const wrong: string = f.registeredCapital;`,
    `export const typo = f.companyNmae;`,
    `export const kind: 'llc' | 'partnership' | 'soleProprietorship' | 'individualBusiness' = f.enterpriseType;`,
  ].join('\n');
  errors = typeErrors(files);
}, 60_000);

describe('generated form types', () => {
  it.each(exampleCodes())('%s: forms/generated is up to date (run npm run gen:types)', (code) => {
    const onDisk = readFileSync(new URL(`../../generated/${code}.ts`, import.meta.url), 'utf8');
    expect(onDisk).toBe(generated.get(code));
  });

  it.each(exampleCodes())(
    '%s: the sample data type-checks, a wrong field and a wrong type do not',
    (code) => {
      const found = errors[`/virtual/${code}.ts`]!;
      expect(found).toHaveLength(2);
      expect(found[0]).toMatch(/'favouriteColour' does not exist in type '\w+Form'/);
      expect(found[1]).toBe("Type 'number' is not assignable to type 'string'.");
    },
  );

  it('a misspelt or mistyped field of one bundle is a type error', () => {
    expect(errors['/virtual/use.ts']).toEqual([
      "Type 'number' is not assignable to type 'string'.",
      "Property 'companyNmae' does not exist on type 'BusinessStartupForm'. Did you mean 'companyName'?",
    ]);
  });
});
