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

/** @type {import('jest').Config} */
module.exports = {
  maxWorkers: 2,
  testTimeout: 30000,
  projects: [
    project('unit'),
    project('differential'),
    project('integration'),
    project('multiprocess'),
    project('package'),
  ],
}
