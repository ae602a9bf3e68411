import { fileURLToPath } from 'node:url';
import { ensureCelery } from '../infra/ensure-celery.js';
import { LineRpc } from '../infra/line-rpc.js';
import { WorkerProcess } from '../infra/worker-process.js';
import type { Contender, ContenderContext, ContenderSession } from './contender.js';

const pythonDir = fileURLToPath(new URL('../../python/', import.meta.url));

/**
 * Celery 5 with the Redis broker: a threads-pool worker with the same concurrency as ours, tasks
 * submitted from Python with apply_async on one producer. Results are ignored, as ours are not read.
 */
export function celeryContender(python: string): Contender {
  return {
    name: 'celery',
    description: 'Celery 5 (Debian python3-celery), Redis broker, threads pool, apply_async from Python',
    async prepare() {
      return `celery ${await ensureCelery(python)}`;
    },
    async open(context: ContenderContext): Promise<ContenderSession> {
      const env = {
        ...process.env,
        BENCH_BROKER_URL: `${context.redisUrl}/0`,
        BENCH_CONCURRENCY: String(context.concurrency),
        PYTHONUNBUFFERED: '1',
      } as Record<string, string>;
      const submitter = await LineRpc.start(python, ['celery_submitter.py'], {
        cwd: pythonDir,
        env,
        label: 'Celery submitter',
      });
      return {
        startWorker: () =>
          WorkerProcess.start({
            command: python,
            args: ['celery_worker.py'],
            cwd: pythonDir,
            env,
            label: 'Celery worker',
          }),
        async submitBulk(kind, count) {
          await submitter.call({ op: 'bulk', kind, count });
        },
        async submitSteady(kind, rate, seconds) {
          const answer = await submitter.call<{ submitted: number }>({ op: 'steady', kind, rate, seconds });
          return answer.submitted;
        },
        finish: async () => undefined,
        close: () => submitter.stop(),
      };
    },
  };
}
