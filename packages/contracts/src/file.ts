import { defineTask } from '@foreman/core';
import { z } from 'zod';
import { QUEUES } from './queues.js';

export const checksumFile = defineTask({
  name: 'file.checksum_file',
  queue: QUEUES.file,
  description: 'Computes the SHA-256 and size of a file inside one of the configured file roots.',
  payload: z.object({ path: z.string().min(1).max(4_096) }).strict(),
  result: z.object({ path: z.string(), bytes: z.number().int().nonnegative(), sha256: z.string() }),
  retry: { attempts: 2 },
  timeoutMs: 10 * 60_000,
});
