// Shared Jest settings: native ESM (run with --experimental-vm-modules), TypeScript through SWC,
// and the "development" export condition so workspace packages resolve to their sources.
export default {
  testEnvironment: 'node',
  testEnvironmentOptions: { customExportConditions: ['development', 'node', 'node-addons'] },
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
        module: { type: 'es6' },
      },
    ],
  },
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testMatch: ['<rootDir>/src/**/*.test.ts', '<rootDir>/test/**/*.test.ts'],
  testTimeout: 30_000,
  // A handle a test left open (a child process, a socket) must not keep a run alive after its
  // tests finished: that hangs CI with nothing printed.
  forceExit: true,
  reporters: ['default', new URL('./scripts/jest-summary-reporter.cjs', import.meta.url).pathname],
};
