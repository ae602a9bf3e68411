import MailComposer from 'nodemailer/lib/mail-composer/index.js';

/** A stored message to write back out as RFC 822. */
export interface EmlMessage {
  from: string;
  to?: readonly string[] | null | undefined;
  subject: string;
  text: string;
  date: Date;
  /** The original Message-ID, kept when known so the file is recognisably the same message. */
  messageId?: string | null | undefined;
}

/** The message as an RFC 822 (.eml) file: headers encoded as RFC 2047 needs, body as text/plain. */
export function composeEml(message: EmlMessage): Promise<Buffer> {
  return new MailComposer({
    from: message.from,
    to: message.to ? [...message.to] : [],
    subject: message.subject,
    text: message.text,
    date: message.date,
    ...(message.messageId ? { messageId: message.messageId } : {}),
  })
    .compile()
    .build();
}
