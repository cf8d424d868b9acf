/** Model entry points: XML → problems, or XML → Plans. */
import type { Problem } from '../api.js';
import { compileDefinitions, type CompileOptions } from './compile.js';
import { parseXml } from './parse.js';
import type { Plan } from './plan.js';

export type { Plan, PlanNode, PlanFlow, NodeKind } from './plan.js';
export { SUPPORTED_NODES } from './supported.js';
export { MAX_MODEL_BYTES } from './parse.js';
export { problemZh } from './messages-zh.js';

export interface ParsedModel {
  plans: Plan[];
  problems: Problem[];
}

const standalone: CompileOptions = {
  deploymentId: 'validation',
  versionOf: () => 1,
  isKnownProcess: () => false,
};

/** Parses, validates and compiles; plans are empty whenever there is any problem. */
export async function parseAndCompile(
  xml: unknown,
  options: CompileOptions = standalone,
): Promise<ParsedModel> {
  const { definitions, problems } = await parseXml(xml);
  if (!definitions) return { plans: [], problems };
  const compiled = compileDefinitions(definitions, options);
  const all = [...problems, ...compiled.problems];
  return { plans: all.length ? [] : compiled.plans, problems: all };
}

/** Every problem of a model, for a model that stands alone (call activities must target its own processes). */
export async function validate(xml: unknown, options?: Partial<CompileOptions>): Promise<Problem[]> {
  return (await parseAndCompile(xml, { ...standalone, ...options })).problems;
}
