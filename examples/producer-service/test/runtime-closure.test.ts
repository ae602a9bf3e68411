import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';

/** What a service that only submits must never load: the database, the HTTP server, the OTel SDK, the logger. */
const FORBIDDEN = ['pg', 'drizzle-orm', 'hono', '@hono/node-server', '@opentelemetry/sdk-node', 'pino'];
const FORBIDDEN_WORKSPACE = ['@foreman/db', '@foreman/logger', '@foreman/tracing'];

/**
 * BullMQ's Postgres backend requires `pg` lazily, inside the function that opens a Postgres
 * connection, and `pg` is only its optional peer: a Redis-only producer never runs that line and
 * need not install `pg`. The bundler cannot know that, so this one import is left out.
 */
const bullmqLazyPg: Plugin = {
  name: 'bullmq-lazy-pg',
  setup(bundle) {
    bundle.onResolve({ filter: /^pg$/ }, ({ importer }) =>
      /bullmq\/dist\/(cjs|esm)\/postgres\/postgres-connection\.js$/.test(importer)
        ? { path: 'pg', external: true }
        : undefined,
    );
  },
};

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/**
 * The packages a module's runtime imports reach, found by bundling it with nothing external
 * (type-only imports vanish, as they do at run time). Workspace packages resolve to their
 * sources through the `development` condition.
 */
async function runtimeClosure(entry: string): Promise<Set<string>> {
  const result = await build({
    stdin: { contents: `import * as entry from '${entry}'; console.log(entry);`, resolveDir: here('.') },
    bundle: true,
    platform: 'node',
    format: 'esm',
    conditions: ['development'],
    write: false,
    metafile: true,
    logLevel: 'silent',
    plugins: [bullmqLazyPg],
  });
  const packages = new Set<string>();
  for (const input of Object.keys(result.metafile.inputs)) {
    const external = /node_modules\/((?:@[^/]+\/)?[^/]+)\/(?!.*node_modules\/)/.exec(input);
    if (external) packages.add(external[1]!);
    const workspace = /(?:^|\/)packages\/([^/]+)\/src\//.exec(input);
    if (workspace) packages.add(`@foreman/${workspace[1]}`);
  }
  return packages;
}

describe('the producer entry', () => {
  it.each([['@foreman/core/producer'], ['@foreman/core/task'], ['@foreman/contracts'], ['../src/index.js']])(
    '%s loads no database, HTTP server, OpenTelemetry SDK or logger',
    async (entry) => {
      const closure = await runtimeClosure(entry === '../src/index.js' ? here('../src/index.ts') : entry);
      expect(closure).toContain('bullmq');
      expect(closure).toContain('ioredis');
      expect(
        [...closure].filter((name) => FORBIDDEN.includes(name) || FORBIDDEN_WORKSPACE.includes(name)),
      ).toEqual([]);
    },
  );

  it('is told apart from the full entry, which does load them', async () => {
    const closure = await runtimeClosure('@foreman/core');
    expect(closure).toContain('drizzle-orm');
    expect(closure).toContain('pg');
    expect(closure).toContain('pino');
  });
});
