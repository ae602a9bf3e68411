export {
  and,
  asc,
  count,
  desc,
  eq,
  getTableColumns,
  gt,
  gte,
  ilike,
  inArray,
  isNotNull,
  isNull,
  lt,
  lte,
  ne,
  notInArray,
  or,
  type SQL,
  type SQLWrapper,
  sql,
} from 'drizzle-orm';
export {
  type ApprovalSignal,
  ApprovalStore,
  type NewApproval,
  type OpenedApproval,
  type SignalRefusal,
} from './ai-approvals/approval-store.js';
export { type AiUsage, AiUsageStore, type AiUsageToday } from './ai-usage/ai-usage-store.js';
export {
  type ApiKeyIdentity,
  type ApiKeyListing,
  ApiKeyStore,
  type CreatedApiKey,
  hashApiKey,
  type NewApiKey,
} from './api-keys/api-key-store.js';
export {
  createDatabase,
  type Database,
  type DatabaseOptions,
  type Db,
  type Driver,
  openDatabase,
} from './database.js';
export { type EmbeddedServer, startEmbeddedServer } from './embedded-server.js';
export { findTask } from './history/find-task.js';
export {
  type HistoryPartition,
  HistoryPartitions,
  type HistoryPartitionsOptions,
  type HistoryRetention,
  partitionName,
  weekStart,
} from './history/history-partitions.js';
export { listTasks, type TaskPageQuery } from './history/list-tasks.js';
export { migrate } from './migrate.js';
export * from './schema/index.js';
