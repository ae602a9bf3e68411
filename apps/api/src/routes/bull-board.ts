import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { HonoAdapter } from '@bull-board/hono';
import { serveStatic } from '@hono/node-server/serve-static';
import type { Queue } from 'bullmq';
import { Hono } from 'hono';
import type { ApiEnv } from '../http/api-env.js';
import { requireAdmin } from '../middleware/require-admin/index.js';

export const BULL_BOARD_PATH = '/admin/queues';

export interface BullBoardOptions {
  /** The deployment's queues, as the task client holds them (its Redis connection and prefix). */
  queues: readonly Queue[];
  /** Read-only: Bull Board shows jobs but cannot retry, remove, promote, clean or pause. */
  readOnly: boolean;
}

/**
 * Bull Board at /admin/queues: queue-level inspection of the raw BullMQ jobs, one adapter per
 * queue of the task registry. It shows every user's jobs, so admin keys only.
 */
export function bullBoardRoutes({ queues, readOnly }: BullBoardOptions) {
  const adapter = new HonoAdapter(serveStatic).setBasePath(BULL_BOARD_PATH);
  createBullBoard({
    queues: queues.map((queue) => new BullMQAdapter(queue, { readOnlyMode: readOnly })),
    serverAdapter: adapter,
    options: { uiConfig: { boardTitle: 'Foreman queues' } },
  });
  return new Hono<ApiEnv>().use('*', requireAdmin()).route('/', adapter.registerPlugin());
}
