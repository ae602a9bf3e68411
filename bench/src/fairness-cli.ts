// `pnpm --filter @foreman/bench bench:fairness [--big N] [--small N] [--task-ms N] [--concurrency N]`:
// throughput with fairness off and on, and how long a small user waits behind a big one.
import { parseArgs } from 'node:util';
import { fairnessMarkdown, runFairnessBench } from './fairness/run-fairness.js';

const { values } = parseArgs({
  options: {
    big: { type: 'string', default: '5000' },
    small: { type: 'string', default: '10' },
    'task-ms': { type: 'string', default: '5' },
    concurrency: { type: 'string', default: '16' },
  },
});
const options = {
  bigTasks: Number(values.big),
  smallTasks: Number(values.small),
  taskMs: Number(values['task-ms']),
  concurrency: Number(values.concurrency),
};
for (const [name, value] of Object.entries(options)) {
  if (!Number.isInteger(value) || value < (name === 'taskMs' ? 0 : 1))
    throw new Error(`${name} must be a whole number`);
}
console.log(fairnessMarkdown(await runFairnessBench(options), options));
process.exit(0);
