import { loadConfig } from '@foreman/config';
import { z } from 'zod';

export const fileEnvSchema = z.object({
  /** Comma-separated directories the file tasks may read or change; nothing outside them is touched. */
  FILE_ROOTS: z
    .string()
    .default('.data/files')
    .transform((value) =>
      value
        .split(',')
        .map((root) => root.trim())
        .filter(Boolean),
    ),
});

export const loadFileEnv = () => loadConfig(fileEnvSchema);
