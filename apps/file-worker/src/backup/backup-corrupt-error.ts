export class BackupCorruptError extends Error {
  readonly code = 'BACKUP_CORRUPT';

  constructor(
    readonly path: string,
    readonly problems: string[],
  ) {
    super(`Backup ${path} failed verification: ${problems.join('; ')}`);
    this.name = 'BackupCorruptError';
  }
}
