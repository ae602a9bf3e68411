// Prints the total of every Jest run recorded by jest-summary-reporter.cjs.
import { readFileSync } from 'node:fs';

const lines = readFileSync(process.argv[2], 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((line) => JSON.parse(line));
const total = { passed: 0, failed: 0, skipped: 0 };
for (const line of lines) {
  for (const key of Object.keys(total)) total[key] += line[key];
  if (line.failed > 0) console.log(`failures in ${line.cwd}`);
}
console.log(`${lines.length} jest runs`);
console.log(`tests: ${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`);
