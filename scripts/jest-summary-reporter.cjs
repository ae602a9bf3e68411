// Appends each Jest run's counts, and each test file's start and end, to $TEST_SUMMARY_FILE so
// scripts/test can print one total and name the files still running if the run was stopped.
const { appendFileSync } = require('node:fs');

const record = (line) => {
  const file = process.env.TEST_SUMMARY_FILE;
  if (file) appendFileSync(file, `${JSON.stringify(line)}\n`);
};

module.exports = class SummaryReporter {
  onTestFileStart(test) {
    record({ kind: 'start', file: test.path, at: Date.now() });
  }

  onTestFileResult(test, result) {
    const { start, end } = result.perfStats;
    record({ kind: 'end', file: test.path, ms: end - start, failed: result.numFailingTests > 0 });
  }

  onRunComplete(_contexts, results) {
    record({
      kind: 'run',
      cwd: process.cwd(),
      passed: results.numPassedTests,
      failed: results.numFailedTests + results.numRuntimeErrorTestSuites,
      skipped: results.numPendingTests + results.numTodoTests,
    });
  }
};
