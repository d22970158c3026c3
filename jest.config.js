// One jest run covers every layer; each folder under test/ is a project so a layer can be run alone
// (`npx jest --selectProjects unit`).
const transform = { '^.+\\.(t|j)sx?$': ['@swc/jest', { jsc: { target: 'es2022' } }] }
const project = (name, extra = {}) => ({
  displayName: name,
  testEnvironment: 'node',
  transform,
  testMatch: [`<rootDir>/test/${name}/**/*.test.ts`],
  ...extra,
})

// The projects that need Redis and PostgreSQL check them once per run, start them where the machine can, and report
// a missing one on the terminal (test/helpers/services-setup.ts).
const services = {
  globalSetup: '<rootDir>/test/helpers/services-setup.ts',
  globalTeardown: '<rootDir>/test/helpers/services-teardown.ts',
}

/** @type {import('jest').Config} */
module.exports = {
  maxWorkers: 2,
  testTimeout: 30000,
  projects: [
    project('unit'),
    project('differential'),
    project('integration', services),
    project('multiprocess', services),
    project('package'),
  ],
}
