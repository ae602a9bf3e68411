/** One exported table: gzipped JSON lines, one row per line. */
export interface ManifestFile {
  name: string;
  table: string;
  rows: number;
  /** Size of the compressed file. */
  bytes: number;
  /** SHA-256 of the compressed file. */
  sha256: string;
}

/** manifest.json of a backup directory. */
export interface Manifest {
  version: 1;
  userId: string;
  createdAt: string;
  files: ManifestFile[];
}

export const MANIFEST = 'manifest.json';

/** A user's records and the column each table is paged by. */
export const BACKUP_TABLES = [
  { table: 'tasks', key: 'id' },
  { table: 'ai_tasks', key: 'id' },
  { table: 'email_outbox', key: 'id' },
  { table: 'email_digest_subscriptions', key: 'user_id' },
  { table: 'email_rules', key: 'id' },
  { table: 'inbound_emails', key: 'id' },
  { table: 'calendar_feeds', key: 'id' },
  { table: 'calendar_events', key: 'id' },
] as const;
