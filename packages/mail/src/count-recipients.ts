import addressparser from 'nodemailer/lib/addressparser/index.js';
import type Mail from 'nodemailer/lib/mailer/index.js';

type AddressField = string | Mail.Address | Array<string | Mail.Address> | undefined;

/**
 * How many RCPT TO addresses a message goes to: its explicit envelope's, else to + cc + bcc. Parsed
 * the way nodemailer parses them ("a@x, Name <b@y>" is two), so the count matches what is sent.
 */
export function countRecipients(mail: Mail.Options): number {
  const envelope = mail.envelope;
  if (envelope) {
    const fields: AddressField[] =
      'cc' in envelope ? [envelope.to, envelope.cc, envelope.bcc] : [envelope.to];
    return fields.reduce((sum: number, field) => sum + countField(field), 0);
  }
  return countField(mail.to) + countField(mail.cc) + countField(mail.bcc);
}

function countField(field: AddressField): number {
  if (field === undefined) return 0;
  if (Array.isArray(field)) return field.reduce((sum: number, item) => sum + countField(item), 0);
  if (typeof field === 'string') return addressparser(field, { flatten: true }).length;
  return 1;
}
