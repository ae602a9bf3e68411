import { workerEnvSchema } from '@foreman/config';
import type { z } from 'zod';
import { aiEnvSchema } from '../../../apps/ai-worker/src/env.js';
import { apiEnvSchema } from '../../../apps/api/src/env.js';
import { beatEnvSchema } from '../../../apps/beat/src/env.js';
import { emailEnvSchema } from '../../../apps/email-worker/src/env.js';
import { fileEnvSchema } from '../../../apps/file-worker/src/env.js';

// A worker reads the shared worker settings and its own; the defaults here do not matter, only
// which variables exist and which are required.
const worker = workerEnvSchema({ concurrency: 1, healthPort: 0, recordProjector: false });

/** Every variable each app parses at start, as its code declares them. */
export const APP_ENV_SCHEMAS: Record<string, z.ZodObject> = {
  api: apiEnvSchema,
  beat: beatEnvSchema,
  'ai-worker': worker.extend(aiEnvSchema.shape),
  'email-worker': worker.extend(emailEnvSchema.shape),
  'file-worker': worker.extend(fileEnvSchema.shape),
  'sync-worker': worker,
  'maintenance-worker': worker,
};
