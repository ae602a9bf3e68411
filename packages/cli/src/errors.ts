/** Exit codes of the cli; scripts may rely on them. */
export const EXIT = {
  ok: 0,
  /** The api refused the request (other than below), or something else went wrong. */
  failure: 1,
  /** Bad arguments or input: nothing was sent. */
  usage: 2,
  /** 401 or 403: the key is missing, unknown, revoked, or not an admin key. */
  unauthorized: 3,
  /** 404: no such task, dead letter, queue or key (or not visible to this key). */
  notFound: 4,
  /** The api or the database could not be reached. */
  unreachable: 5,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** A failure the cli reports as `{ error: { code, message, details? } }`, like the api does. */
export class CliError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly exitCode: ExitCode = EXIT.failure,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** Bad arguments or input, found before anything was sent. */
export class UsageError extends CliError {
  constructor(message: string) {
    super('USAGE', message, EXIT.usage);
    this.name = 'UsageError';
  }
}

/** An error answer of the api, with its status and the api's own code, message and details. */
export class ApiRequestError extends CliError {
  constructor(
    readonly status: number,
    code: string,
    message: string,
    details?: unknown,
  ) {
    super(code, message, exitCodeOf(status), details);
    this.name = 'ApiRequestError';
  }
}

const exitCodeOf = (status: number): ExitCode => {
  if (status === 401 || status === 403) return EXIT.unauthorized;
  if (status === 404) return EXIT.notFound;
  return EXIT.failure;
};
