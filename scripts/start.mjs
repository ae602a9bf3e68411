// Launches every app of the system as its own process (as in production), after making sure Redis
// is reachable and, without DATABASE_URL, serving one embedded database that all of them share.
import { spawn, spawnSync } from 'node:child_process';
import { createConnection } from 'node:net';
import { createInterface } from 'node:readline';

const APPS = ['api', 'ai-worker', 'email-worker', 'file-worker', 'sync-worker', 'maintenance-worker', 'beat'];
const COLORS = [36, 32, 33, 35, 34, 31, 96, 92];
const LEVELS = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };
const children = [];
let stopping = false;

function say(message) {
  process.stdout.write(`\x1b[1m[start]\x1b[0m ${message}\n`);
}

function listening(url) {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = createConnection({ host: hostname, port: Number(port || 6379) });
    socket.once('connect', () => socket.end(() => resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

/** One line per log record: time, level, message, then the remaining fields. */
function pretty(line) {
  let record;
  try {
    record = JSON.parse(line);
  } catch {
    return line;
  }
  const {
    time,
    level,
    msg,
    service: _service,
    pid: _pid,
    hostname: _hostname,
    name: _name,
    ...rest
  } = record;
  const fields = Object.entries(rest)
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(' ');
  const clock = typeof time === 'string' ? time.slice(11, 23) : '';
  return `${clock} ${(LEVELS[level] ?? level).padEnd(5)} ${msg ?? ''}${fields ? `  ${fields}` : ''}`;
}

function launch(name, args, env, color) {
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const tag = `\x1b[${color}m${name.padEnd(18)}\x1b[0m|`;
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) => process.stdout.write(`${tag} ${pretty(line)}\n`));
  }
  child.on('exit', (code, signal) => {
    if (!stopping) {
      say(`${name} exited (${signal ?? code}); stopping everything`);
      stop(1);
    }
  });
  children.push(child);
  return child;
}

function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  say('stopping all apps...');
  for (const child of children) child.kill('SIGTERM');
  const deadline = setTimeout(() => {
    for (const child of children) child.kill('SIGKILL');
  }, 35_000);
  Promise.all(
    children.map((child) => (child.exitCode !== null ? null : new Promise((r) => child.once('exit', r)))),
  ).then(() => {
    clearTimeout(deadline);
    process.exit(code);
  });
}

process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));

const env = { ...process.env, NODE_ENV: process.env.NODE_ENV ?? 'development' };
env.REDIS_URL ??= 'redis://127.0.0.1:6379';

if (!(await listening(env.REDIS_URL))) {
  const local = /^redis:\/\/(127\.0\.0\.1|localhost)(:6379)?\/?$/.test(env.REDIS_URL);
  if (local && spawnSync('redis-server', ['--version']).status === 0) {
    say(
      `nothing listens at ${env.REDIS_URL}; starting redis-server for this session (data kept in memory only)`,
    );
    const redis = spawn(
      'redis-server',
      ['--port', '6379', '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      {
        stdio: 'ignore',
      },
    );
    children.push(redis);
    for (let i = 0; i < 50 && !(await listening(env.REDIS_URL)); i++)
      await new Promise((r) => setTimeout(r, 100));
  } else {
    console.error(
      `Redis is not reachable at ${env.REDIS_URL}.\n` +
        'Start one (Debian/Ubuntu: sudo apt-get install redis-server; macOS: brew install redis; ' +
        'or: docker run -p 6379:6379 redis:7) or point REDIS_URL at yours, then run this again.',
    );
    process.exit(1);
  }
}

const tsx = ['--conditions=development', '--import', 'tsx'];
if (!env.DATABASE_URL) {
  const port = env.EMBEDDED_DB_PORT ?? '54329';
  say(
    `no DATABASE_URL: serving the embedded database (PGlite) from ${env.DATA_DIR ?? '.data'}/pglite on 127.0.0.1:${port}`,
  );
  launch(
    'embedded-db',
    [...tsx, 'packages/db/src/bin/serve-embedded.ts'],
    {
      ...env,
      EMBEDDED_DB_DIR: `${env.DATA_DIR ?? '.data'}/pglite`,
      EMBEDDED_DB_PORT: port,
    },
    COLORS[7],
  );
  env.DATABASE_URL = `postgres://postgres@127.0.0.1:${port}/postgres`;
  for (let i = 0; i < 300 && !(await listening(env.DATABASE_URL)); i++)
    await new Promise((r) => setTimeout(r, 100));
}

// The tracing preload does nothing unless OTEL_* variables ask for traces (docs/observability.md).
for (const [index, app] of APPS.entries())
  launch(
    app,
    [...tsx, '--import', './packages/tracing/src/register.ts', `apps/${app}/src/main.ts`],
    env,
    COLORS[index],
  );
say(`started ${APPS.join(', ')}; api on http://127.0.0.1:${env.PORT ?? 3000} (Ctrl-C stops all)`);
