import { mkdirSync } from 'node:fs';
import { QUEUES } from '@foreman/contracts';
import { runWorkerApp } from '@foreman/core/worker';
import { WorkerMetrics } from '@foreman/metrics';
import { loadFileEnv } from './env.js';
import { fileTasks } from './tasks/index.js';

const env = loadFileEnv();
for (const root of [...env.FILE_ROOTS, env.BACKUP_DIR]) mkdirSync(root, { recursive: true });

await runWorkerApp({
  name: 'file-worker',
  queue: QUEUES.file,
  tasks: ({ database }) =>
    fileTasks({
      db: database.db,
      roots: env.FILE_ROOTS,
      patterns: env.TEMP_FILE_PATTERNS,
      maxAgeHours: env.TEMP_FILE_MAX_AGE_HOURS,
      backupDir: env.BACKUP_DIR,
      keep: env.BACKUP_KEEP,
      exportKeep: env.EXPORT_KEEP,
    }),
  defaults: { concurrency: 2, healthPort: 3103, recordProjector: false },
  plugins: [new WorkerMetrics()],
});
