import { fileURLToPath } from 'node:url';
import { type AppProcess, startAppProcess } from '@foreman/core/testing';

export type { AppProcess };

const root = fileURLToPath(new URL('../..', import.meta.url));

/** Starts an app from its sources as its own process and waits for the log line saying it is up. */
export const startApp = (
  app: string,
  env: Record<string, string>,
  readyMessage: string,
): Promise<AppProcess> => startAppProcess(root, app, env, readyMessage);
