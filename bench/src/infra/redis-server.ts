import { type ChildProcess, spawn } from 'node:child_process';
import type { RedisConnection } from '@foreman/core';
import { createRedis } from '@foreman/core';
import { freePort } from '@foreman/core/testing';
import { type CommandCalls, parseCommandStats } from './command-stats.js';

/**
 * A private redis-server on a free loopback port. Each contender gets its own, so the command
 * counts of one never include another's traffic and every contender starts from an empty server.
 */
export class RedisServer {
  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
    readonly admin: RedisConnection,
  ) {}

  static async start(binary = 'redis-server'): Promise<RedisServer> {
    const port = await freePort();
    const child = spawn(
      binary,
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    const failed = new Promise<never>((_, reject) => {
      child.once('error', (error) => reject(new Error(`cannot start ${binary}: ${error.message}`)));
      child.once('exit', (code) => reject(new Error(`${binary} exited with ${code} on port ${port}`)));
    });
    failed.catch(() => {});
    const admin = createRedis(`redis://127.0.0.1:${port}`);
    admin.on('error', () => {});
    await Promise.race([admin.ping(), failed]);
    return new RedisServer(child, port, admin);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Empties the server and zeroes its command counters, so the next reading is one run's. */
  async reset(): Promise<void> {
    await this.admin.flushall();
    await this.admin.config('RESETSTAT');
  }

  async commandCalls(): Promise<CommandCalls> {
    return parseCommandStats(await this.admin.info('commandstats'));
  }

  async version(): Promise<string> {
    const info = await this.admin.info('server');
    return /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown';
  }

  async stop(): Promise<void> {
    this.admin.disconnect();
    if (this.child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      this.child.once('exit', () => resolve());
      this.child.kill('SIGTERM');
    });
  }
}
