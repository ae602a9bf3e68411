import type { ApiClient } from '@foreman/api-client';
import type { Command } from 'commander';
import { type CliEnv, loadCliEnv } from './env.js';
import { UsageError } from './errors.js';
import { createCliApi } from './http/api.js';
import { type CliIo, Printer } from './output/printer.js';

/** Options every command takes (given before or after the command's name). */
export interface GlobalOptions {
  url?: string;
  key?: string;
  json?: boolean;
}

/** What a command's action works with. */
export interface CommandContext {
  io: CliIo;
  env: CliEnv;
  printer: Printer;
  /** The api at `--url` / FOREMAN_URL with `--key` / FOREMAN_API_KEY. */
  api: ApiClient;
}

export function contextOf(io: CliIo, command: Command): CommandContext {
  const globals = command.optsWithGlobals<GlobalOptions>();
  const env = loadCliEnv(io.env);
  const baseUrl = globals.url ?? env.FOREMAN_URL;
  if (!URL.canParse(baseUrl) || !/^https?:$/.test(new URL(baseUrl).protocol)) {
    throw new UsageError(`--url must be an http(s) URL (got "${baseUrl}")`);
  }
  return {
    io,
    env,
    printer: new Printer(io, globals.json === true),
    api: createCliApi({
      baseUrl,
      key: globals.key ?? env.FOREMAN_API_KEY,
      timeoutMs: env.FOREMAN_TIMEOUT_MS,
    }),
  };
}
