import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { baseEnvSchema, loadConfig } from '@foreman/config';
import {
  createRuntime,
  type Runtime,
  readRecordsGroup,
  TaskRegistry,
  taskEventsStream,
  unstoredIn,
} from '@foreman/core';
import { createTestDatabase } from '@foreman/db/testing';
import { benchContracts, benchTaskName } from '../foreman/bench-tasks.js';
import { settledTaskTableWrites, taskTableWrites } from '../infra/table-writes.js';
import type { WorkerFinal } from '../infra/worker-process.js';
import { startNodeWorker } from '../workers/start-node-worker.js';
import type { Contender, ContenderContext, ContenderSession, TaskKind } from './contender.js';
import { submitPaced } from './pace.js';
import { payloadOf } from './payloads.js';

const BULK_CHUNK = 1_000;
const run = promisify(execFile);

export interface ForemanContenderOptions {
  name?: string;
  description?: string;
  /** Extra environment of the worker process, e.g. to turn an observer off for a comparison. */
  workerEnv?: Record<string, string>;
}

/**
 * Our system with everything on: TaskClient (validation, routing, pending records) submits, a
 * worker app process (runWorkerApp: records through the batched writer, the runtime's observers)
 * runs the tasks, each workload in a fresh PostgreSQL schema.
 */
export function foremanContender(options: ForemanContenderOptions = {}): Contender {
  return {
    name: options.name ?? 'foreman',
    description:
      options.description ??
      'TaskClient.submitBulk/submit + a worker app process + a record projector process (as beat and maintenance-worker): records in PostgreSQL, task events, metrics',
    async prepare() {
      // Reruns follow the repo as features land: name the commit measured.
      const commit = await run('git', ['rev-parse', '--short', 'HEAD']).then(
        ({ stdout }) => stdout.trim(),
        () => 'unknown commit',
      );
      return `this repo at ${commit}`;
    },
    async open(context: ContenderContext): Promise<ContenderSession> {
      const schema = await createTestDatabase('bench');
      const before = await taskTableWrites(schema.database.db);
      const env = {
        REDIS_URL: context.redisUrl,
        QUEUE_PREFIX: 'bench',
        DATABASE_URL: schema.url,
        DATABASE_SCHEMA: schema.schema,
      };
      // Records are stored by a process of their own, as beat and maintenance-worker do in a
      // deployment (task workers do not project; the api takes a share there, none here): the
      // client only submits, so its pace is not the projection's.
      const projector = await startNodeWorker(
        './foreman-projector.ts',
        { ...env, LOG_LEVEL: 'silent' },
        'Foreman record projector',
      );
      // Its own pool: stopping it makes its backends publish their table counters.
      const runtime = await createRuntime({
        name: 'bench-client',
        env: loadConfig(baseEnvSchema, { ...env, LOG_LEVEL: 'silent' }),
        registry: new TaskRegistry(benchContracts),
        project: false,
      });
      const { client, records } = runtime;
      let closed: Promise<number> | undefined;
      // Waits for the projector to store every entry, then stops it: the statements it sent.
      const release = () => {
        closed ??= (async () => {
          await waitUntilProjected(runtime);
          const final = await projector.stop();
          await runtime.stop();
          return (final?.extra.records as { statements?: number } | undefined)?.statements ?? 0;
        })();
        return closed;
      };
      return {
        startWorker: () =>
          startNodeWorker(
            './foreman-worker.ts',
            {
              ...env,
              WORKER_CONCURRENCY: String(context.concurrency),
              HEALTH_PORT: '0',
              LOG_LEVEL: context.logLevel,
              ...options.workerEnv,
            },
            'Foreman worker',
          ),
        async submitBulk(kind: TaskKind, count: number) {
          const name = benchTaskName[kind];
          for (let start = 0; start < count; start += BULK_CHUNK) {
            const size = Math.min(BULK_CHUNK, count - start);
            await client.submitBulk(Array.from({ length: size }, () => ({ name, payload: payloadOf(kind) })));
          }
        },
        submitSteady: (kind, rate, seconds) =>
          submitPaced(rate, seconds, (at) => client.submit(benchTaskName[kind], payloadOf(kind, at))),
        async finish(worker: WorkerFinal | undefined) {
          const projectorStatements = await release();
          const clientStatements = records.stats.statements + projectorStatements;
          const after = await settledTaskTableWrites(schema.database.db);
          const workerRecords = worker?.extra.records as { statements?: number } | undefined;
          return {
            rowsInserted: after.inserted - before.inserted,
            rowsUpdated: after.updated - before.updated,
            statements: clientStatements + (workerRecords?.statements ?? 0),
          };
        },
        async close() {
          await release();
          await schema.drop();
        },
      };
    },
  };
}

/** Polls the records group until no entry waits to be stored (bounded: the bench goes on after it). */
async function waitUntilProjected(runtime: Runtime, timeoutMs = 120_000): Promise<void> {
  const stream = taskEventsStream('bench');
  const unstored = async () => {
    const group = await readRecordsGroup(runtime.redis, stream);
    return (group && unstoredIn(group)) ?? 0;
  };
  const until = Date.now() + timeoutMs;
  while (Date.now() < until && (await unstored()) > 0) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
