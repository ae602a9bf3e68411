import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { channelConfigSchema } from '../channels/channel-config.js';
import { AlertRuleInvalidError } from '../errors/alert-rule-invalid-error.js';
import { alertRuleSchema } from './alert-rule.js';
import { parseOrThrow } from './parse-rule.js';

export const rulesFileSchema = z.object({
  channels: z.record(z.string().regex(/^[a-z0-9][a-z0-9_-]*$/), channelConfigSchema).default({}),
  rules: z.array(alertRuleSchema).default([]),
});

export type RulesFile = z.output<typeof rulesFileSchema>;

/** Reads a JSON rules file: `{ "channels": { name: {...} }, "rules": [ ... ] }`. */
export async function loadRulesFile(path: string): Promise<RulesFile> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new AlertRuleInvalidError(`Cannot read rules file ${path}`, [
      { path: '', message: (error as Error).message },
    ]);
  }
  const file = parseOrThrow(rulesFileSchema, json, `rules file ${path}`);
  const ids = file.rules.map((rule) => rule.id);
  const duplicate = ids.find((id, index) => ids.indexOf(id) !== index);
  if (duplicate) {
    throw new AlertRuleInvalidError(`Invalid rules file ${path}`, [
      { path: 'rules', message: `rule id "${duplicate}" appears twice` },
    ]);
  }
  return file;
}
