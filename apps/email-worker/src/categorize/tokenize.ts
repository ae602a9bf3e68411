const STOPWORDS = new Set(
  (
    'the and for you your are with this that from have has was were will would can could our not but ' +
    "all any about into over out there their they them then than what when which who how its it's " +
    'let lets just also here more some been being get got please thanks thank hi hello dear regards ' +
    'best see new now today week one two via per each only very off www com http https'
  ).split(' '),
);

/** Lower-cased words of three letters or more, without common words: what text is about. */
export function tokenize(text: string): string[] {
  return (text.toLowerCase().match(/\p{L}[\p{L}\p{N}'-]{2,}/gu) ?? []).filter((word) => !STOPWORDS.has(word));
}

/** The lower-cased address inside "Name <address>", or the whole value when it has no brackets. */
export function senderAddress(from: string): string {
  const match = /<([^>]+)>/.exec(from);
  return (match?.[1] ?? from).trim().toLowerCase();
}

export function senderDomain(from: string): string {
  const address = senderAddress(from);
  return address.slice(address.lastIndexOf('@') + 1);
}
