// `pnpm --filter @foreman/bench bench:imap [--messages N] [--body-bytes N] [--batch N]`: messages/s
// of a full IMAP sync (email.sync_user_emails) from a local Dovecot, and one incremental sync.
import { parseArgs } from 'node:util';
import { loadBenchEnv } from './env.js';
import { runImapSyncBench } from './imap/run-imap-sync.js';

const { values } = parseArgs({
  options: {
    messages: { type: 'string', default: '5000' },
    'body-bytes': { type: 'string', default: '2000' },
    batch: { type: 'string', default: '500' },
  },
});
const options = {
  messages: Number(values.messages),
  bodyBytes: Number(values['body-bytes']),
  batchSize: Number(values.batch),
};
for (const [name, value] of Object.entries(options)) {
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a whole number of at least 1`);
}
const figures = await runImapSyncBench({ ...options, redisServer: loadBenchEnv().BENCH_REDIS_SERVER });
console.log(
  [
    '| messages | body bytes | batch | full sync (s) | messages/s | incremental, 1% new (ms) |',
    '| -------- | ---------- | ----- | ------------- | ---------- | ------------------------ |',
    `| ${figures.messages} | ${options.bodyBytes} | ${options.batchSize} | ${(figures.fullSyncMs / 1_000).toFixed(2)} | ${figures.fullMessagesPerSecond} | ${figures.incrementalMs} |`,
  ].join('\n'),
);
process.exit(0);
