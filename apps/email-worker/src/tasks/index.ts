import type { AnyTaskImplementation } from '@foreman/core';
import type { Transporter } from 'nodemailer';
import { sendEmailTask } from './send-email.js';

export function emailTasks(deps: { transport: Transporter; from: string }): AnyTaskImplementation[] {
  return [sendEmailTask(deps)];
}
