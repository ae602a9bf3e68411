/** The realistic task's payload size and the I/O its handler waits for. */
export const IO_PAYLOAD_BYTES = 1024;
export const IO_WAIT_MS = 5;

/** A fixed 1 KB string: the same bytes for every contender. */
export const IO_DATA = 'x'.repeat(IO_PAYLOAD_BYTES);

/** Bulk submissions carry no submit time (`at` 0): their waits measure the backlog, not the system. */
export function payloadOf(kind: 'noop' | 'io', at = 0): Record<string, unknown> {
  return kind === 'io' ? { data: IO_DATA, at } : { at };
}
