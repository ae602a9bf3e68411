/** The api's answers, as far as the cli reads them. */
export interface TaskJson {
  id: string;
  name: string;
  queue: string;
  userId: string | null;
  status: string;
  priority: number;
  payload: unknown;
  result: unknown;
  error: string | null;
  attempts: number;
  maxRetries: number;
  createdAt: string;
  startedAt: string | null;
  completedAt: string | null;
  durationMs: number | null;
  waitMs: number | null;
  traceId: string | null;
  progress: number | null;
  progressMessage: string | null;
  replayOf: string | null;
}

export interface SubmittedJson {
  taskId: string;
  name: string;
  queue: string;
  status: string;
  deduplicated?: boolean;
  replayOf?: string;
}

export interface DeadLetterJson {
  taskId: string;
  name: string;
  queue: string;
  userId: string | null;
  payload: unknown;
  error: string;
  attempts: number;
  failedAt: string;
  replayedAs: string | null;
  replayedAt: string | null;
}

export interface ApiKeyJson {
  id: string;
  prefix: string;
  userId: string;
  admin: boolean;
  label: string | null;
  createdAt: string;
  revokedAt: string | null;
}
