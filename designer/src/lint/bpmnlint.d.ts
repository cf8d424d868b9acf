/** bpmnlint ships types for lib/ only; its rule files and static resolver are plain CommonJS. */
declare module 'bpmnlint/rules/*' {
  const factory: (options?: unknown) => { check: unknown; meta?: unknown };
  export default factory;
}
declare module 'bpmnlint/lib/resolver/static-resolver.js' {
  class StaticResolver {
    constructor(cache: Record<string, unknown>);
    resolveRule(pkg: string, ruleName: string): unknown;
    resolveConfig(pkg: string, configName: string): unknown;
  }
  export default StaticResolver;
}
declare module 'bpmnlint' {
  export class Linter {
    constructor(options: { config: unknown; resolver: unknown });
    lint(
      definitions: unknown,
    ): Promise<Record<string, { id?: string; message: string; category: string; path?: string[] }[]>>;
  }
}
