import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchReport } from './figures.js';
import { toMarkdown } from './markdown.js';

/** bench/results/, kept out of git. */
export const RESULTS_DIR = fileURLToPath(new URL('../../results/', import.meta.url));

/** Writes `<mode>-<time>.json` and `.md` (and `latest-<mode>.*`) into `dir`. */
export async function writeReport(report: BenchReport, dir = RESULTS_DIR) {
  await mkdir(dir, { recursive: true });
  const stamp = report.startedAt.replace(/[:.]/g, '-');
  const markdown = toMarkdown(report);
  const json = `${JSON.stringify(report, null, 2)}\n`;
  const jsonPath = join(dir, `${report.mode}-${stamp}.json`);
  const markdownPath = join(dir, `${report.mode}-${stamp}.md`);
  await Promise.all([
    writeFile(jsonPath, json),
    writeFile(markdownPath, `${markdown}\n`),
    writeFile(join(dir, `latest-${report.mode}.json`), json),
    writeFile(join(dir, `latest-${report.mode}.md`), `${markdown}\n`),
  ]);
  return { jsonPath, markdownPath, markdown };
}
