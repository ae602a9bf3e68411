/** The most of these intervals open at one moment (an end at the instant of a start closes first). */
export function mostAtOnce(runs: ReadonlyArray<{ start: number; end: number }>): number {
  const edges = runs
    .flatMap((run) => [
      { at: run.start, delta: 1 },
      { at: run.end, delta: -1 },
    ])
    .sort((a, b) => a.at - b.at || a.delta - b.delta);
  let open = 0;
  let most = 0;
  for (const edge of edges) {
    open += edge.delta;
    most = Math.max(most, open);
  }
  return most;
}
