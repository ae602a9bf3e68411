import ICAL from 'ical.js';
import { InvalidFeedError } from './invalid-feed-error.js';

/** One event of a feed, as stored. */
export interface RemoteEvent {
  uid: string;
  summary: string;
  description: string | null;
  location: string | null;
  startsAt: Date;
  endsAt: Date | null;
  allDay: boolean;
  sequence: number;
  /** LAST-MODIFIED, else DTSTAMP: when the remote copy last changed. */
  modifiedAt: Date | null;
}

/** Parses an iCalendar document with ical.js; recurrence overrides are folded into their series. */
export function parseFeed(text: string): RemoteEvent[] {
  let root: ICAL.Component;
  try {
    root = new ICAL.Component(ICAL.parse(text));
  } catch (error) {
    throw new InvalidFeedError((error as Error).message);
  }
  if (root.name !== 'vcalendar') throw new InvalidFeedError(`top-level component is "${root.name}"`);
  const events = new Map<string, RemoteEvent>();
  for (const component of root.getAllSubcomponents('vevent')) {
    const event = new ICAL.Event(component);
    if (!event.uid || !event.startDate || event.isRecurrenceException()) continue;
    const stamp = (component.getFirstPropertyValue('last-modified') ??
      component.getFirstPropertyValue('dtstamp')) as ICAL.Time | null;
    events.set(event.uid, {
      uid: event.uid,
      summary: event.summary ?? '',
      description: event.description ?? null,
      location: event.location ?? null,
      startsAt: event.startDate.toJSDate(),
      endsAt: event.endDate ? event.endDate.toJSDate() : null,
      allDay: event.startDate.isDate,
      sequence: event.sequence ?? 0,
      modifiedAt: stamp ? stamp.toJSDate() : null,
    });
  }
  return [...events.values()];
}
