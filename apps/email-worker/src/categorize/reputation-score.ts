/** What a user did with one sender's messages. */
export interface SenderBehaviour {
  messages: number;
  seen: number;
  answered: number;
  archivedUnread: number;
  junk: number;
  correctedWanted: number;
  correctedSpam: number;
}

/**
 * A score in [-1, 1]: a reply counts 1, a read 0.3, a correction to a wanted category 0.5; moving
 * a message away unread counts -0.5, junk -1, a correction to spam -1. The sum is divided by
 * messages + 1, so one message says less than many.
 */
export function reputationScore(behaviour: SenderBehaviour): number {
  const sum =
    behaviour.answered +
    0.3 * (behaviour.seen - behaviour.answered) +
    0.5 * behaviour.correctedWanted -
    0.5 * behaviour.archivedUnread -
    behaviour.junk -
    behaviour.correctedSpam;
  return Math.max(-1, Math.min(1, sum / (behaviour.messages + 1)));
}

const JUNK_FOLDER = /^(junk|spam|bulk|junk e-?mail|\[gmail\]\/spam)$/i;
const AWAY_FOLDER = /(archive|all mail|trash|deleted|bin)$/i;

/** Reads one message's flags and folder as the behaviour it shows. */
export function behaviourOf(message: { folder: string | null; flags: string[] | null }) {
  const flags = new Set((message.flags ?? []).map((flag) => flag.toLowerCase()));
  const seen = flags.has('\\seen');
  const junk = flags.has('$junk') || flags.has('junk') || JUNK_FOLDER.test(message.folder ?? '');
  const away = flags.has('\\deleted') || AWAY_FOLDER.test(message.folder ?? '');
  return { seen, answered: flags.has('\\answered'), junk, archivedUnread: away && !seen && !junk };
}
