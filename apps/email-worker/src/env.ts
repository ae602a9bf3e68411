import { loadConfig } from '@foreman/config';
import { z } from 'zod';

/** The email worker's own settings; parsed at import so a bad value stops the app at once. */
export const emailEnvSchema = z.object({
  /** smtp://user:pass@host:port or smtps:// for implicit TLS. */
  SMTP_URL: z
    .string()
    .refine((value) => /^smtps?:\/\//.test(value), 'must start with smtp:// or smtps://')
    .default('smtp://127.0.0.1:1025'),
  MAIL_FROM: z.string().min(3).default('Foreman <foreman@localhost>'),
});

export type EmailEnv = z.output<typeof emailEnvSchema>;

export const loadEmailEnv = () => loadConfig(emailEnvSchema);
