/** An IMAP UID set for sorted UIDs, runs collapsed: [1,2,3,7] -> "1:3,7". */
export function uidSet(sortedUids: readonly number[]): string {
  const parts: string[] = [];
  let start = sortedUids[0];
  let previous = start;
  for (const uid of sortedUids.slice(1)) {
    if (uid === (previous as number) + 1) {
      previous = uid;
      continue;
    }
    parts.push(start === previous ? `${start}` : `${start}:${previous}`);
    start = uid;
    previous = uid;
  }
  if (start !== undefined) parts.push(start === previous ? `${start}` : `${start}:${previous}`);
  return parts.join(',');
}

export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let index = 0; index < items.length; index += size) out.push(items.slice(index, index + size));
  return out;
}
