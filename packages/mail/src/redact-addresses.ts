// Anything shaped like local@domain, as SMTP replies and nodemailer errors quote recipients.
const ADDRESS = /[^\s<>"'(),;:[\]]+@[^\s<>"'(),;:[\]]+/g;

/** The text with every e-mail address replaced, so span data never names a recipient. */
export function redactAddresses(text: string): string {
  return text.replace(ADDRESS, '<address>');
}
