import { defineTask } from '@foreman/core';
import { z } from 'zod';
import { QUEUES } from './queues.js';

export const fetchUrl = defineTask({
  name: 'sync.fetch_url',
  queue: QUEUES.sync,
  description: 'Fetches a URL and reports its status, validators, size and SHA-256.',
  payload: z
    .object({
      url: z.url({ protocol: /^https?$/ }),
      etag: z.string().optional(),
    })
    .strict(),
  result: z.object({
    status: z.number().int(),
    notModified: z.boolean(),
    etag: z.string().nullable(),
    bytes: z.number().int().nonnegative(),
    sha256: z.string().nullable(),
  }),
  retry: { attempts: 3 },
  timeoutMs: 60_000,
});
