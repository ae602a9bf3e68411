// `pnpm --filter @foreman/bench bench:fairness [--big N] [--small N] [--task-ms N] [--concurrency N]
//   [--keyed-tasks N] [--keys N] [--only fairness|keyed]`: throughput with fairness off and on, how
// long a small user waits behind a big one, and a keyed queue's overhead against a plain one.
import { parseArgs } from 'node:util';
import { keyedOverheadMarkdown, runKeyedOverheadBench } from './fairness/keyed-overhead.js';
import { fairnessMarkdown, runFairnessBench } from './fairness/run-fairness.js';

const { values } = parseArgs({
  options: {
    big: { type: 'string', default: '5000' },
    small: { type: 'string', default: '10' },
    'task-ms': { type: 'string', default: '5' },
    concurrency: { type: 'string', default: '16' },
    'keyed-tasks': { type: 'string', default: '20000' },
    keys: { type: 'string', default: '100' },
    only: { type: 'string' },
  },
});
const options = {
  bigTasks: Number(values.big),
  smallTasks: Number(values.small),
  taskMs: Number(values['task-ms']),
  concurrency: Number(values.concurrency),
  keyedTasks: Number(values['keyed-tasks']),
  keys: Number(values.keys),
};
for (const [name, value] of Object.entries(options)) {
  if (!Number.isInteger(value) || value < (name === 'taskMs' ? 0 : 1))
    throw new Error(`${name} must be a whole number`);
}
if (values.only !== undefined && values.only !== 'fairness' && values.only !== 'keyed') {
  throw new Error('--only takes fairness or keyed');
}
if (values.only !== 'keyed') console.log(fairnessMarkdown(await runFairnessBench(options), options));
if (values.only !== 'fairness') {
  const keyed = { tasks: options.keyedTasks, keys: options.keys, concurrency: options.concurrency };
  console.log(`\n${keyedOverheadMarkdown(await runKeyedOverheadBench(keyed), keyed)}`);
}
process.exit(0);
