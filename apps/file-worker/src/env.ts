import { commaList, loadConfig, positiveInt } from '@foreman/config';
import { z } from 'zod';

export const fileEnvSchema = z.object({
  /** Comma-separated directories the file tasks may read or change; nothing outside them is touched. */
  FILE_ROOTS: commaList('.data/files'),
  /** Globs (matched against file names) of what cleanup_temp_files removes. */
  TEMP_FILE_PATTERNS: commaList('*.tmp,*.temp,*.part,*.swp,~*'),
  TEMP_FILE_MAX_AGE_HOURS: positiveInt(24),
  /** Where backups are written, one directory per user. */
  BACKUP_DIR: z.string().min(1).default('.data/backups'),
  /** Backups kept per user; older ones are removed after a new one is verified. */
  BACKUP_KEEP: positiveInt(7),
  /** Exports (file.export_user_data) kept per user; older ones are removed when a new one is done. */
  EXPORT_KEEP: positiveInt(3),
});

export type FileEnv = z.output<typeof fileEnvSchema>;

export const loadFileEnv = () => loadConfig(fileEnvSchema);
