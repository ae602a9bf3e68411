import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

/**
 * A helper process that takes one JSON command a line on stdin and answers each with one JSON
 * line on stdout, after first printing one line to say it is ready.
 */
export class LineRpc {
  private readonly answers: Array<(line: string) => void> = [];
  private stderr = '';
  private readonly exited: Promise<void>;

  private constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    private readonly label: string,
  ) {
    child.stderr.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString()).slice(-4_000);
    });
    createInterface({ input: child.stdout }).on('line', (line) => this.answers.shift()?.(line));
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    void this.exited.then(() => {
      for (const answer of this.answers.splice(0)) answer('');
    });
  }

  static async start(
    command: string,
    args: string[],
    options: { cwd: string; env: Record<string, string>; label: string },
  ): Promise<LineRpc> {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: 'pipe' });
    const rpc = new LineRpc(child, options.label);
    await rpc.next();
    return rpc;
  }

  async call<T>(command: Record<string, unknown>): Promise<T> {
    const answer = this.next();
    this.child.stdin.write(`${JSON.stringify(command)}\n`);
    const parsed = (await answer) as T & { error?: string };
    if (parsed.error) throw new Error(`${this.label}: ${parsed.error}`);
    return parsed;
  }

  async stop(): Promise<void> {
    this.child.stdin.end();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await this.exited;
    clearTimeout(timer);
  }

  private async next(): Promise<unknown> {
    const line = await new Promise<string>((resolve) => this.answers.push(resolve));
    if (!line) throw new Error(`${this.label} stopped answering:\n${this.stderr}`);
    return JSON.parse(line);
  }
}
