import { type CliError, EXIT } from '../errors.js';

/** Where the cli writes, and what it reads; the binary passes the process's, tests their own. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Reads all of standard input (for `--payload -`). */
  readStdin(): Promise<string>;
  /** Asks a yes/no question on the terminal; undefined when there is no terminal to ask on. */
  confirm?(question: string): Promise<boolean>;
  env: Record<string, string | undefined>;
}

/** Prints results as JSON (`--json`) or for people, and errors in the api's shape or as one line. */
export class Printer {
  constructor(
    private readonly io: CliIo,
    readonly json: boolean,
  ) {}

  /** `data` as JSON, or what `human` renders of it. */
  result(data: unknown, human: () => string): void {
    this.io.stdout(`${this.json ? JSON.stringify(data, null, 2) : human()}\n`);
  }

  /** One item of a stream: a line of JSON (JSON Lines), or what `human` renders of it. */
  line(data: unknown, human: () => string): void {
    this.io.stdout(`${this.json ? JSON.stringify(data) : human()}\n`);
  }

  /** A remark for people (a next-page hint, a warning): stderr, so stdout stays the result. */
  note(text: string): void {
    if (!this.json) this.io.stderr(`${text}\n`);
  }

  error(error: CliError): void {
    if (this.json) {
      const body = { code: error.code, message: error.message, ...detailsOf(error) };
      this.io.stderr(`${JSON.stringify({ error: body })}\n`);
      return;
    }
    const lines = [`foreman: ${error.code}: ${error.message}`];
    if (Array.isArray(error.details)) {
      for (const detail of error.details) lines.push(`  - ${describe(detail)}`);
    } else if (error.details !== undefined) lines.push(`  ${JSON.stringify(error.details)}`);
    if (error.exitCode === EXIT.usage) lines.push("  (see 'foreman --help')");
    this.io.stderr(`${lines.join('\n')}\n`);
  }
}

const detailsOf = (error: CliError) => (error.details === undefined ? {} : { details: error.details });

function describe(detail: unknown): string {
  if (detail && typeof detail === 'object' && 'message' in detail) {
    const { path, message } = detail as { path?: unknown; message: unknown };
    const where = Array.isArray(path) ? path.join('.') : typeof path === 'string' ? path : '';
    return where ? `${where}: ${String(message)}` : String(message);
  }
  return JSON.stringify(detail);
}
