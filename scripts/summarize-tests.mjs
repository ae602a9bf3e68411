// Prints the total of every Jest run recorded by jest-summary-reporter.cjs, the slowest test
// files, and any file that started but never ended (the run was stopped while it ran).
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';

const lines = readFileSync(process.argv[2], 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((line) => JSON.parse(line));
const runs = lines.filter((line) => line.kind === 'run');
const total = { passed: 0, failed: 0, skipped: 0 };
for (const run of runs) {
  for (const key of Object.keys(total)) total[key] += run[key];
  if (run.failed > 0) console.log(`failures in ${run.cwd}`);
}
const name = (file) => relative(process.cwd(), file);
const ended = lines.filter((line) => line.kind === 'end');
const endedFiles = new Set(ended.map((line) => line.file));
for (const line of lines.filter((line) => line.kind === 'start' && !endedFiles.has(line.file))) {
  const minutes = ((Date.now() - line.at) / 60_000).toFixed(1);
  console.log(`never finished (started ${minutes} min before this summary): ${name(line.file)}`);
}
const slowest = [...ended].sort((a, b) => b.ms - a.ms).slice(0, 5);
console.log(
  `slowest files: ${slowest.map((line) => `${name(line.file)} ${(line.ms / 1000).toFixed(0)} s`).join(', ')}`,
);
console.log(`${runs.length} jest runs`);
console.log(`tests: ${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`);
