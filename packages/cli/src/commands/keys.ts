import type { Command } from 'commander';
import { type CommandContext, contextOf } from '../context.js';
import { UsageError } from '../errors.js';
import { ApiKeyAdmin } from '../keys/api-key-admin.js';
import type { KeyAdmin } from '../keys/key-admin.js';
import { formatTime, yesNo } from '../output/format.js';
import type { CliIo } from '../output/printer.js';
import { renderFields, renderTable } from '../output/table.js';
import type { ApiKeyJson } from './api-types.js';

interface KeyOptions {
  databaseUrl?: string;
  api?: boolean;
}

/**
 * `keys create|list|revoke`. On the database when `--database-url` or DATABASE_URL is given (how
 * the first keys are made), otherwise through the api's admin routes with an admin key.
 */
export function registerKeyCommands(program: Command, io: CliIo): void {
  const group = program
    .command('keys')
    .description('Api keys: on the database with --database-url / DATABASE_URL, else through the api')
    .option('--database-url <url>', 'PostgreSQL to manage the keys in (DATABASE_SCHEMA names its schema)')
    .option('--api', 'through the api even when DATABASE_URL is set');

  group
    .command('create')
    .description('Create a key; its secret is printed this once (only its hash is stored)')
    .requiredOption('--user <id>', 'the user the key acts as')
    .option('--admin', 'an admin key: sees every user, manages queues, workers and keys')
    .option('--name <label>', 'a label to tell keys apart')
    .action(
      withKeys(async (ctx, keys, options: { user: string; admin?: boolean; name?: string }) => {
        const created = await keys.create({
          userId: options.user,
          admin: options.admin === true,
          label: options.name,
        });
        ctx.printer.result(created, () =>
          renderFields([
            ['id', created.id],
            ['user', created.userId],
            ['admin', yesNo(created.admin)],
            ['label', created.label ?? undefined],
            ['key', created.key],
          ]),
        );
        ctx.printer.note('Keep the key now: it is not shown again, only its SHA-256 is stored.');
      }),
    );

  group
    .command('list', { isDefault: true })
    .description('Every key, revoked ones included; never the secrets')
    .action(
      withKeys(async (ctx, keys) => {
        const listed = await keys.list();
        ctx.printer.result({ keys: listed }, () =>
          renderTable(
            [
              { header: 'id', value: (key: ApiKeyJson) => key.id },
              { header: 'prefix', value: (key) => `${key.prefix}…` },
              { header: 'user', value: (key) => key.userId },
              { header: 'admin', value: (key) => yesNo(key.admin) },
              { header: 'label', value: (key) => key.label ?? '-' },
              { header: 'created', value: (key) => formatTime(key.createdAt) },
              { header: 'revoked', value: (key) => formatTime(key.revokedAt) },
            ],
            listed,
          ),
        );
      }),
    );

  group
    .command('revoke')
    .description('Revoke a key by its id (see keys list)')
    .argument('<id>', 'key id')
    .action(
      withKeys(async (ctx, keys, _options: object, id: string) => {
        await keys.revoke(id);
        ctx.printer.result({ id, revoked: true }, () => `revoked ${id}`);
      }),
    );

  /** Runs `work` with the key admin the options pick, and closes it after. */
  function withKeys<O>(
    work: (ctx: CommandContext, keys: KeyAdmin, options: O, ...args: string[]) => Promise<void>,
  ) {
    return async (...args: unknown[]) => {
      const command = args.at(-1) as Command;
      const options = command.opts() as O;
      const ctx = contextOf(io, command);
      const keys = await keyAdmin(ctx, command.optsWithGlobals<KeyOptions>());
      try {
        await work(ctx, keys, options, ...(command.args as string[]));
      } finally {
        await keys.close();
      }
    };
  }
}

async function keyAdmin(ctx: CommandContext, options: KeyOptions): Promise<KeyAdmin> {
  if (options.databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(options.databaseUrl)) {
    throw new UsageError('--database-url must start with postgres:// or postgresql://');
  }
  const url = options.api ? undefined : (options.databaseUrl ?? ctx.env.DATABASE_URL);
  if (!url) return new ApiKeyAdmin(ctx.api);
  // Loaded only here: the database driver is the heaviest import, and only these commands need it.
  const { DatabaseKeyAdmin } = await import('../keys/database-key-admin.js');
  return new DatabaseKeyAdmin({ url, schema: ctx.env.DATABASE_SCHEMA });
}
