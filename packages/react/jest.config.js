import preset from '../../jest.preset.js';

const swc = {
  jsc: {
    parser: { syntax: 'typescript', tsx: true },
    transform: { react: { runtime: 'automatic' } },
    target: 'es2022',
  },
  module: { type: 'es6' },
};

export default {
  ...preset,
  extensionsToTreatAsEsm: ['.ts', '.tsx'],
  transform: { '^.+\\.tsx?$': ['@swc/jest', swc] },
  testMatch: ['<rootDir>/test/**/*.test.tsx'],
  // A DOM (happy-dom) for React; requests still go over Node's own fetch.
  setupFiles: ['<rootDir>/test/setup-dom.ts'],
  // Each test waits on a real api and worker; a loaded CI machine gets room before a verdict.
  testTimeout: 90_000,
};
