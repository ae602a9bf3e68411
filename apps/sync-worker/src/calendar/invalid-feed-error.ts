export class InvalidFeedError extends Error {
  readonly code = 'FEED_INVALID';

  constructor(reason: string) {
    super(`invalid iCalendar feed: ${reason}`);
    this.name = 'InvalidFeedError';
  }
}
