// `pnpm --filter @foreman/bench bench:history [--rows N] [--samples N] [--writes N] [--users N]`:
// loads N synthetic task records with COPY into a schema of its own on BENCH_HISTORY_DATABASE_URL,
// and prints query latencies and the record writer's rate without and with the search indexes.
import { parseArgs } from 'node:util';
import { loadBenchEnv } from './env.js';
import { type HistoryFigures, runHistoryBench, type WriteRate } from './history/run-history-bench.js';

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '100000' },
    samples: { type: 'string', default: '200' },
    writes: { type: 'string', default: '20000' },
    users: { type: 'string', default: '1000' },
  },
});
const options = {
  rows: Number(values.rows),
  samples: Number(values.samples),
  writes: Number(values.writes),
  users: Number(values.users),
};
for (const [name, value] of Object.entries(options)) {
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a whole number of at least 1`);
}
const figures = await runHistoryBench({ ...options, url: loadBenchEnv().BENCH_HISTORY_DATABASE_URL });
const mb = (bytes: number) => (bytes / 1_048_576).toFixed(1);
const ms = (value: number) => value.toFixed(2);
const rate = (label: string, writes: WriteRate) =>
  `| ${label} | ${writes.insertsPerSecond} | ${writes.updatesPerSecond} |`;
const query = (label: string, name: keyof HistoryFigures['queries'], rows: string) => {
  const { p50, p95, max } = figures.queries[name];
  return `| ${label} | ${ms(p50)} | ${ms(p95)} | ${ms(max)} | ${rows} | ${figures.statements[name].toFixed(1)} |`;
};
console.log(
  [
    `${figures.rows} rows loaded in ${figures.loadSeconds.toFixed(1)} s; search indexes built in ${figures.indexBuildSeconds.toFixed(1)} s; table ${mb(figures.tableBytes)} MB`,
    '',
    '| index | MB |',
    '| ----- | -- |',
    ...Object.entries(figures.indexBytes).map(([name, bytes]) => `| ${name} | ${mb(bytes)} |`),
    '',
    '| query (a user’s, newest 50) | p50 ms | p95 ms | max ms | mean rows | statements |',
    '| --------------------------- | ------ | ------ | ------ | --------- | ---------- |',
    query('by id', 'byId', '1'),
    query('newest page', 'newestPage', '-'),
    query('payload field', 'payloadField', figures.meanMatches.payloadField.toFixed(1)),
    query('free text', 'freeText', figures.meanMatches.freeText.toFixed(1)),
    '',
    '| record writer | inserts/s | upserts of stored rows/s |',
    '| ------------- | --------- | ------------------------ |',
    rate('without search indexes', figures.writes.without),
    rate('with search indexes', figures.writes.with),
  ].join('\n'),
);
process.exit(0);
