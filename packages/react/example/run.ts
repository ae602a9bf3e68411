// The task monitor example against a running Foreman (test/system.ts: the api and a worker):
// submits three tasks, lets the first finish, and serves the page. With `--screenshot <file>` it
// saves a picture of the page with headless Chromium and stops; otherwise it serves until Ctrl-C.
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createApiClient, unwrap } from '@foreman/api-client';
import { freePort } from '@foreman/core/testing';
import { build } from 'esbuild';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const screenshot = process.argv.includes('--screenshot') ? process.argv.at(-1) : undefined;

const bundle = await build({
  entryPoints: [here('./task-monitor.tsx')],
  bundle: true,
  format: 'esm',
  write: false,
  conditions: ['development'],
  define: { 'process.env.NODE_ENV': '"production"' },
});
const page = await readFile(here('./index.html'));
const port = await freePort();
const origin = `http://127.0.0.1:${port}`;
const server = createServer((request, response) => {
  const script = request.url?.startsWith('/task-monitor.js');
  response.writeHead(200, { 'content-type': script ? 'text/javascript' : 'text/html' });
  response.end(script ? bundle.outputFiles[0]!.contents : page);
});
server.listen(port, '127.0.0.1');

const system = spawn(
  process.execPath,
  ['--conditions=development', '--import', 'tsx', here('../test/system.ts')],
  {
    env: { ...process.env, CORS_ORIGINS: origin },
    stdio: ['pipe', 'pipe', 'inherit'],
  },
);
const [line] = (await once(createInterface({ input: system.stdout }), 'line')) as [string];
const { baseUrl, adminKey } = JSON.parse(line) as { baseUrl: string; adminKey: string };
const { key } = await unwrap(
  createApiClient({ baseUrl, token: adminKey }).POST('/keys', { body: { userId: 'alice' } }),
);
const alice = createApiClient({ baseUrl, token: key });
const tasks: string[] = [];
for (const url of ['https://example.org/a', 'https://example.org/b', 'https://example.org/c']) {
  const { taskId } = await unwrap(
    alice.POST('/tasks/{name}', { params: { path: { name: 'sync.fetch_url' } }, body: { url } }),
  );
  const { token } = await unwrap(alice.POST('/tasks/{id}/token', { params: { path: { id: taskId } } }));
  tasks.push(`${taskId}:${token}`);
}
// The worker runs one at a time, each stopping at 40% until released: one done, one running, one waiting.
const status = (index: number) =>
  unwrap(alice.GET('/tasks/{id}', { params: { path: { id: tasks[index]!.split(':')[0]! } } }));
while ((await status(0)).status !== 'running') await new Promise((resolve) => setTimeout(resolve, 100));
system.stdin.write('release\n');
while ((await status(1)).progress !== 40) await new Promise((resolve) => setTimeout(resolve, 100));

const url = `${origin}/?api=${encodeURIComponent(baseUrl)}&tasks=${tasks.join(',')}`;
if (screenshot) {
  await promisify(execFile)('chromium', [
    '--headless',
    '--no-sandbox',
    '--hide-scrollbars',
    '--window-size=900,260',
    '--virtual-time-budget=5000',
    `--screenshot=${screenshot}`,
    url,
  ]);
  console.log(`saved ${screenshot}`);
} else {
  console.log(`task monitor: ${url}`);
  await once(process, 'SIGINT');
}
system.stdin.end();
await once(system, 'exit');
server.close();
process.exit(0);
