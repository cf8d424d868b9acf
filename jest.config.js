/** Jest runs TypeScript as ESM through ts-jest (bpmn-moddle 10 is ESM-only). */
export default {
  preset: 'ts-jest/presets/default-esm',
  testEnvironment: 'node',
  roots: ['<rootDir>/engine', '<rootDir>/forms', '<rootDir>/designer', '<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.tsx?$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json', diagnostics: { warnOnly: false } }],
  },
  // bpmnlint (CommonJS) require()s min-dash (ES module only): designer/test-support/jest-resolver.cjs.
  resolver: '<rootDir>/designer/test-support/jest-resolver.cjs',
  coveragePathIgnorePatterns: ['/node_modules/', '\\.test\\.ts$'],
  testTimeout: 30000,
  // Starts the FerretDB test MongoDB server once per run (ONETHING_TEST_MONGODB_URI), see test/support/mongo.ts.
  globalSetup: '<rootDir>/test/global-setup.ts',
  globalTeardown: '<rootDir>/test/global-teardown.ts',
};
