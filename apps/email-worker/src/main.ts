import { QUEUES } from '@foreman/contracts';
import { runWorkerApp } from '@foreman/core';
import nodemailer from 'nodemailer';
import { loadEmailEnv } from './env.js';
import { emailTasks } from './tasks/index.js';

const env = loadEmailEnv();
const transport = nodemailer.createTransport(env.SMTP_URL);

await runWorkerApp({
  name: 'email-worker',
  queue: QUEUES.email,
  tasks: () => emailTasks({ transport, from: env.MAIL_FROM }),
  defaults: { concurrency: 4, healthPort: 3102 },
});
