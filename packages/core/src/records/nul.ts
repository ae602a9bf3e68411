/**
 * PostgreSQL cannot store U+0000: `text` refuses it and `jsonb` refuses the `\u0000` escape. What
 * comes from users is refused at the edge (`findNul`); what handlers produce is stripped before it
 * is recorded (`stripNul`), so one character can never keep a record out of the database.
 */
export const NUL_MESSAGE = 'contains a NUL character (\\u0000), which cannot be stored';

/**
 * The dotted path of the first string or object key holding U+0000 ('' for the value itself). The
 * path is built only once one is found: every submit walks its payload, and a path string per key
 * was most of the walk's cost.
 */
export function findNul(value: unknown): string | undefined {
  if (typeof value === 'string') return value.includes('\0') ? '' : undefined;
  if (typeof value !== 'object' || value === null) return undefined;
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index += 1) {
      const found = findNul(value[index]);
      if (found !== undefined) return below(String(index), found);
    }
    return undefined;
  }
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue;
    // Shown escaped: the path goes into error messages and logs.
    if (key.includes('\0')) return key.replaceAll('\0', '\\u0000');
    const found = findNul((value as Record<string, unknown>)[key]);
    if (found !== undefined) return below(key, found);
  }
  return undefined;
}

const below = (key: string, found: string) => (found === '' ? key : `${key}.${found}`);

/** The value without U+0000 in any string or key; the same reference when there was none. */
export function stripNul<T>(value: T): T {
  return findNul(value) === undefined ? value : (strip(value) as T);
}

function strip(value: unknown): unknown {
  if (typeof value === 'string') return value.replaceAll('\0', '');
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map(strip);
  // Only plain JSON reaches records; Dates and the like are left as they are.
  if (Object.getPrototypeOf(value) !== Object.prototype && Object.getPrototypeOf(value) !== null)
    return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [key.replaceAll('\0', ''), strip(item)]),
  );
}
