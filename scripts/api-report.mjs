// Runs api-extractor for one entry: rolls up its .d.ts and compares its API report under etc/ (used by build.mjs, and
// by test/package/api-report.test.ts against a modified copy of a report).
import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const require = createRequire(import.meta.url)
const { Extractor, ExtractorConfig, ConsoleMessageId } = require('@microsoft/api-extractor')

/**
 * @param {string} configFile api-extractor config, relative to the repository root
 * @param {{ check: boolean, reportFolder?: string, rollup?: boolean }} options `check`: compare only (CI), otherwise
 *   update the report; `reportFolder`: compare against reports in another folder; `rollup: false`: skip the .d.ts
 * @returns {{ report: string, changed: boolean, problems: string[], diff: string, updated: boolean }}
 */
export function runApiExtractor(configFile, { check, reportFolder, rollup = true }) {
  const configPath = join(root, configFile)
  const configObject = ExtractorConfig.loadFile(configPath)
  if (reportFolder) {
    configObject.apiReport.reportFolder = reportFolder
    configObject.apiReport.reportTempFolder = join(reportFolder, 'temp')
  }
  if (!rollup) configObject.dtsRollup.enabled = false
  const config = ExtractorConfig.prepare({
    configObject,
    configObjectFullPath: configPath,
    packageJsonFullPath: join(root, 'package.json'),
  })
  const report = relative(root, config.reportFilePath)
  const problems = []
  let updated = false
  let result
  try {
    result = Extractor.invoke(config, {
      localBuild: !check,
      messageCallback(message) {
        // Progress chatter is dropped; what is left is a problem someone must act on.
        message.handled = true
        if (message.category === 'console') {
          if (message.messageId === ConsoleMessageId.ApiReportCopied) updated = true
          return
        }
        if (message.logLevel === 'error' || message.logLevel === 'warning') {
          problems.push(`${message.logLevel}: ${message.formatMessageWithLocation(root)}`)
        }
      },
    })
  } catch (error) {
    problems.push(
      `api-extractor crashed: ${error.message}\n` +
        'A public declaration probably references something it cannot inline (for example a type from ' +
        "@posthog/core's ErrorTracking namespace, which needs DOM types): keep such types off the public API."
    )
    return { report, changed: false, problems, diff: '', updated }
  }
  if (!result.succeeded && problems.length === 0 && !result.apiReportChanged) problems.push('api-extractor failed')
  const changed = check && result.apiReportChanged
  const diff = changed ? reportDiff(config.reportFilePath, config.reportTempFilePath) : ''
  return { report, changed, problems, diff, updated }
}

/** The changed lines between the reviewed report and the one just generated, trimmed to the changed region. */
function reportDiff(reviewedPath, generatedPath) {
  const before = existsSync(reviewedPath) ? readFileSync(reviewedPath, 'utf8').split('\n') : []
  const after = readFileSync(generatedPath, 'utf8').split('\n')
  let start = 0
  while (start < before.length && start < after.length && before[start] === after[start]) start++
  let endBefore = before.length
  let endAfter = after.length
  while (endBefore > start && endAfter > start && before[endBefore - 1] === after[endAfter - 1]) {
    endBefore--
    endAfter--
  }
  const lines = [
    ...before.slice(start, endBefore).map((line) => `- ${line}`),
    ...after.slice(start, endAfter).map((line) => `+ ${line}`),
  ]
  const shown = lines.slice(0, 60)
  if (lines.length > shown.length) shown.push(`  ... ${lines.length - shown.length} more changed lines`)
  return `reviewed report vs the API as built, from line ${start + 1}:\n${shown.join('\n')}`
}
