// One ID for this run, inherited by every worker: the consumer tests pack the package once per run (test/consumer/pack.ts).
process.env.JEST_RUN_ID ??= `${process.pid}-${Date.now()}`;

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json', diagnostics: false }] },
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
  setupFilesAfterEnv: ['<rootDir>/lib/testing/jest.ts'],
  testTimeout: 30000,
};
