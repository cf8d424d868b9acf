/**
 * JSON Forms evaluates UI-schema rules with ajv, and ajv compiles schemas to code with
 * `new Function` — which the server's Content-Security-Policy (script-src 'self') forbids. This
 * stand-in answers the ajv calls JSON Forms makes for rules (`validate(schema, data)`) with an
 * interpreting validator, @cfworker/json-schema. The preview runs without form validation, so
 * `compile` is only a fallback.
 */
import { Validator, type Schema } from '@cfworker/json-schema';

const validators = new WeakMap<object, Validator>();

function validatorFor(schema: object): Validator {
  let v = validators.get(schema);
  if (!v) {
    v = new Validator(schema as Schema, '7', false);
    validators.set(schema, v);
  }
  return v;
}

interface AjvError {
  instancePath: string;
  schemaPath: string;
  keyword: string;
  params: Record<string, unknown>;
  message: string;
}

function errorsOf(schema: object, data: unknown): AjvError[] | null {
  const result = validatorFor(schema).validate(data);
  if (result.valid) return null;
  return result.errors.map((e) => ({
    instancePath: e.instanceLocation.replace(/^#/, ''),
    schemaPath: e.keywordLocation,
    keyword: e.keyword,
    params: {},
    message: e.error,
  }));
}

export function createSafeAjv() {
  const ajv = {
    errors: null as AjvError[] | null,
    validate(schema: object, data: unknown): boolean {
      ajv.errors = errorsOf(schema, data);
      return ajv.errors === null;
    },
    compile(schema: object) {
      const fn = Object.assign(
        (data: unknown) => {
          fn.errors = errorsOf(schema, data);
          return fn.errors === null;
        },
        { errors: null as AjvError[] | null, schema },
      );
      return fn;
    },
    addSchema: () => ajv,
    addFormat: () => ajv,
    addKeyword: () => ajv,
    getSchema: () => undefined,
  };
  return ajv;
}
