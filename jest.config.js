/** Jest runs TypeScript as ESM through ts-jest (bpmn-moddle 10 is ESM-only). */
export default {
  preset: 'ts-jest/presets/default-esm',
  testEnvironment: 'node',
  roots: ['<rootDir>/engine', '<rootDir>/forms', '<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.tsx?$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json', diagnostics: { warnOnly: false } }],
  },
  coveragePathIgnorePatterns: ['/node_modules/', '\\.test\\.ts$'],
  testTimeout: 30000,
};
