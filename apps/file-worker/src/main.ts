import { mkdirSync } from 'node:fs';
import { QUEUES } from '@foreman/contracts';
import { runWorkerApp } from '@foreman/core';
import { WorkerMetrics } from '@foreman/metrics';
import { loadFileEnv } from './env.js';
import { fileTasks } from './tasks/index.js';

const env = loadFileEnv();
for (const root of env.FILE_ROOTS) mkdirSync(root, { recursive: true });

await runWorkerApp({
  name: 'file-worker',
  queue: QUEUES.file,
  tasks: () => fileTasks({ roots: env.FILE_ROOTS }),
  defaults: { concurrency: 2, healthPort: 3103 },
  plugins: [new WorkerMetrics()],
});
