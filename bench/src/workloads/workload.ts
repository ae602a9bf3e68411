import type { ContenderSession } from '../contenders/contender.js';
import type { RedisServer } from '../infra/redis-server.js';
import type { RunFigures } from '../report/figures.js';

export interface WorkloadContext {
  contender: string;
  session: ContenderSession;
  /** The contender's own redis-server, emptied and with zeroed counters. */
  redis: RedisServer;
  /** Figures this contender produced in earlier workloads of the run, by workload id. */
  earlier: Record<string, RunFigures>;
}

export interface Workload {
  id: string;
  title: string;
  /** The workload's size in words, for the report. */
  size: string;
  /** Names of the contenders that run it; all when absent. */
  contenders?: string[];
  run(context: WorkloadContext): Promise<RunFigures>;
}
