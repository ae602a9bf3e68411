import { defineTask } from '@foreman/core';
import { z } from 'zod';
import { QUEUES } from './queues.js';

export const sendEmail = defineTask({
  name: 'email.send_email',
  queue: QUEUES.email,
  description: 'Sends one message over SMTP.',
  payload: z
    .object({
      to: z.array(z.email()).min(1).max(50),
      subject: z.string().min(1).max(998),
      text: z.string().max(1_000_000),
      html: z.string().max(1_000_000).optional(),
    })
    .strict(),
  result: z.object({ messageId: z.string(), accepted: z.array(z.string()), rejected: z.array(z.string()) }),
  retry: { attempts: 5, delayMs: 5_000 },
  timeoutMs: 60_000,
});
