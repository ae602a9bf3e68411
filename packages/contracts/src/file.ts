import { declareSchedule, defineTask, EVERY_USER } from '@foreman/core/producer';
import { z } from 'zod';
import { QUEUES } from './queues.js';

export const checksumFile = defineTask({
  name: 'file.checksum_file',
  queue: QUEUES.file,
  description: 'Computes the SHA-256 and size of a file inside one of the configured file roots.',
  payload: z.object({ path: z.string().min(1).max(4_096) }).strict(),
  result: z.object({ path: z.string(), bytes: z.number().int().nonnegative(), sha256: z.string() }),
  retry: { attempts: 2 },
  timeoutMs: 10 * 60_000,
});

const itemError = z.object({ id: z.string(), error: z.string() });

export const cleanupTempFiles = defineTask({
  name: 'file.cleanup_temp_files',
  queue: QUEUES.file,
  audience: 'system',
  description:
    'Removes old files matching the temp patterns inside the configured roots; never follows a symlink out, never removes a directory.',
  payload: z
    .object({
      dryRun: z.boolean().default(false),
      /** One directory inside the roots (or a root itself); all roots when absent. */
      path: z.string().min(1).max(4_096).optional(),
      olderThanHours: z
        .number()
        .positive()
        .max(24 * 3_650)
        .optional(),
      patterns: z.array(z.string().min(1).max(200)).min(1).max(50).optional(),
    })
    .strict(),
  result: z.object({
    dryRun: z.boolean(),
    removed: z.number().int(),
    bytes: z.number().int(),
    symlinksSkipped: z.number().int(),
    roots: z.array(
      z.object({
        root: z.string(),
        count: z.number().int(),
        bytes: z.number().int(),
        removed: z.array(z.string()),
      }),
    ),
    errors: z.array(itemError),
  }),
  retry: { attempts: 2 },
  timeoutMs: 30 * 60_000,
});

export const backupUserData = defineTask({
  name: 'file.backup_user_data',
  queue: QUEUES.file,
  ownedBy: ({ userId }) => (userId === undefined ? EVERY_USER : { userId }),
  description:
    "Exports each user's records to gzipped JSON lines with a SHA-256 manifest, verifies the backup, keeps the newest N.",
  payload: z
    .object({
      /** One user; every user with records when absent. */
      userId: z.string().min(1).max(200).optional(),
      keep: z.number().int().positive().max(1_000).optional(),
    })
    .strict(),
  result: z.object({
    backups: z.array(
      z.object({ userId: z.string(), backupId: z.string(), rows: z.number().int(), bytes: z.number().int() }),
    ),
    pruned: z.number().int(),
    errors: z.array(itemError),
  }),
  retry: { attempts: 3, delayMs: 30_000 },
  timeoutMs: 60 * 60_000,
});

export const verifyBackup = defineTask({
  name: 'file.verify_backup',
  queue: QUEUES.file,
  ownedBy: ({ backupId }) => ({ table: 'backups', id: backupId }),
  description: "Re-reads a backup: the manifest's hash, every file's size and SHA-256, and every row.",
  payload: z.object({ backupId: z.uuid() }).strict(),
  result: z.object({
    backupId: z.string(),
    files: z.number().int(),
    rows: z.number().int(),
    bytes: z.number().int(),
  }),
  retry: { attempts: 2 },
  timeoutMs: 30 * 60_000,
});

export const schedules = [
  declareSchedule({
    id: 'file.cleanup_temp_files.daily-0200',
    task: cleanupTempFiles,
    payload: {},
    cron: '0 2 * * *',
    description: 'Removes old temp files at 02:00 UTC',
  }),
  declareSchedule({
    id: 'file.backup_user_data.weekly',
    task: backupUserData,
    payload: {},
    cron: '0 4 * * 0',
    description: "Backs up every user's records on Sundays at 04:00 UTC",
  }),
];
