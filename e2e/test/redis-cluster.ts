import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createRedis } from '@foreman/core';
import { freePort, type TestRedis, waitFor } from '@foreman/core/testing';

const run = promisify(execFile);

export interface TestRedisCluster extends TestRedis {
  /** Client ports of the three masters. */
  readonly ports: number[];
}

/** Distinct free ports (a port freed by one probe could be handed out again by the next). */
async function freePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort());
  return [...ports];
}

/**
 * A three-master Redis Cluster on free loopback ports, each node with its own temporary directory,
 * formed with `redis-cli --cluster create`. `cleanup` stops the nodes and removes their files.
 */
export async function startRedisCluster(): Promise<TestRedisCluster> {
  const dir = await mkdtemp(join(tmpdir(), 'foreman-redis-cluster-'));
  const all = await freePorts(6);
  const ports = all.slice(0, 3);
  const nodes = await Promise.all(
    ports.map(async (port, index) => {
      const nodeDir = join(dir, String(port));
      await mkdir(nodeDir);
      // Explicit bus ports: the default (port + 10000) may be taken or out of range.
      const args = ['--port', String(port), '--cluster-port', String(all[3 + index])];
      args.push('--bind', '127.0.0.1', '--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf');
      args.push('--dir', nodeDir, '--save', '', '--appendonly', 'no', '--cluster-node-timeout', '5000');
      return spawn('redis-server', args, { stdio: 'ignore' });
    }),
  );
  const urls = ports.map((port) => `redis://127.0.0.1:${port}`);
  const probes = urls.map((url) => createRedis(url));
  const stopNodes = async () => {
    for (const probe of probes) probe.disconnect();
    await Promise.all(
      nodes.map(
        (node) =>
          new Promise<void>((resolve) => {
            if (node.exitCode !== null || node.signalCode !== null) return resolve();
            node.once('exit', () => resolve());
            node.kill('SIGTERM');
          }),
      ),
    );
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await Promise.all(
      probes.map((probe) =>
        waitFor(() => probe.ping().catch(() => undefined), { timeoutMs: 30_000, what: 'a cluster node' }),
      ),
    );
    await run('redis-cli', [
      '--cluster',
      'create',
      ...ports.map((port) => `127.0.0.1:${port}`),
      '--cluster-yes',
    ]);
    await Promise.all(
      probes.map((probe) =>
        waitFor(
          async () => ((await probe.cluster('INFO')) as string).includes('cluster_state:ok') || undefined,
          { timeoutMs: 30_000, intervalMs: 200, what: 'cluster_state:ok' },
        ),
      ),
    );
  } catch (error) {
    await stopNodes();
    throw error;
  }
  const redis = createRedis(urls.join(','), { cluster: true });
  return {
    redis,
    url: urls.join(','),
    // Hash-tagged: every key of every queue under this prefix lands in one slot.
    prefix: `{e2e-${randomBytes(5).toString('hex')}}`,
    ports,
    async cleanup() {
      await redis.quit();
      await stopNodes();
    },
  };
}
