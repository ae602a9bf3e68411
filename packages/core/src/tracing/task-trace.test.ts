import { traceIdOf } from './task-trace.js';

describe('traceIdOf', () => {
  it('reads the trace id of a traceparent, and nothing from a missing or malformed one', () => {
    expect(traceIdOf('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01')).toBe(
      '4bf92f3577b34da6a3ce929d0e0e4736',
    );
    // As `split('-')[1]` read it: the second part, whatever follows.
    expect(traceIdOf('00-abc')).toBe('abc');
    expect(traceIdOf('00-')).toBe('');
    expect(traceIdOf('no-dashes-here')).toBe('dashes');
    expect(traceIdOf('nodash')).toBeNull();
    expect(traceIdOf(undefined)).toBeNull();
  });
});
