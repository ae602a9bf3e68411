import { readFile } from 'node:fs/promises';
import { UsageError } from '../errors.js';

/**
 * A task payload from `--payload`: JSON text, `@path` for a JSON file, or `-` for standard input.
 * It must be a JSON object (the api's payloads are); absent means `{}`.
 */
export async function readPayload(
  value: string | undefined,
  readStdin: () => Promise<string>,
): Promise<Record<string, unknown>> {
  if (value === undefined) return {};
  let text: string;
  let source: string;
  if (value === '-') {
    text = await readStdin();
    source = 'standard input';
  } else if (value.startsWith('@')) {
    const path = value.slice(1);
    source = path;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      throw new UsageError(`Cannot read the payload file ${path}: ${(error as Error).message}`);
    }
  } else {
    text = value;
    source = '--payload';
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`The payload in ${source} is not JSON: ${(error as Error).message}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new UsageError(`The payload in ${source} must be a JSON object`);
  }
  return parsed as Record<string, unknown>;
}
