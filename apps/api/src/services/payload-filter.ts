import { type SQL, type SQLWrapper, sql } from '@foreman/db';
import { ApiError } from '../http/api-error.js';

/** `payload.user.id=42`: the task's payload holds `value` at `path`. */
export interface PayloadFilter {
  path: string[];
  value: string;
}

const PAYLOAD_FILTER = /^payload((\.[A-Za-z0-9_-]{1,100}){1,8})$/;

/**
 * The `payload.<field>...` parameters of a list query; any other parameter not in `known` is a 400
 * naming it, as a malformed payload path is.
 */
export function payloadFilters(query: Record<string, unknown>, known: readonly string[]): PayloadFilter[] {
  const filters: PayloadFilter[] = [];
  const issues: Array<{ path: string; message: string }> = [];
  for (const [key, value] of Object.entries(query)) {
    if (known.includes(key)) continue;
    const path = PAYLOAD_FILTER.exec(key)?.[1];
    if (path !== undefined && typeof value === 'string') {
      filters.push({ path: path.slice(1).split('.'), value });
    } else {
      issues.push({
        path: key,
        message: key.startsWith('payload')
          ? 'A payload filter is payload.<field>[.<field>...]: up to 8 fields of letters, digits, _ and -'
          : 'Unknown filter',
      });
    }
  }
  if (issues.length > 0) throw new ApiError('QUERY_INVALID', 'Invalid query', issues);
  return filters;
}

/**
 * The values a filter's text stands for: itself, and the number, boolean or null it spells, since
 * a query string cannot say which the payload holds (`payload.user.id=42` finds 42 and "42").
 */
function candidates(value: string): unknown[] {
  try {
    const parsed: unknown = JSON.parse(value);
    if (parsed === null || typeof parsed === 'number' || typeof parsed === 'boolean') return [value, parsed];
  } catch {
    // Plain text: only the string itself.
  }
  return [value];
}

const nest = (path: string[], leaf: unknown): unknown =>
  path.reduceRight<unknown>((inner, field) => ({ [field]: inner }), leaf);

/** The filter as JSON containment (`payload @> {...}`), which the payload's GIN index answers. */
export function payloadContains(payload: SQLWrapper, filter: PayloadFilter): SQL {
  const options = candidates(filter.value).map(
    (leaf) => sql`${payload} @> ${JSON.stringify(nest(filter.path, leaf))}::jsonb`,
  );
  return sql`(${sql.join(options, sql` or `)})`;
}

/** The same test on a payload in memory, with containment's meaning: the leaf equals, no array search. */
export function payloadHolds(payload: unknown, filter: PayloadFilter): boolean {
  let node = payload;
  for (const field of filter.path) {
    if (typeof node !== 'object' || node === null || Array.isArray(node)) return false;
    node = (node as Record<string, unknown>)[field];
  }
  return candidates(filter.value).some((leaf) => node === leaf);
}
