export { composeEml, type EmlMessage } from './compose-eml.js';
export { countRecipients } from './count-recipients.js';
export { createSmtpTransport, type SmtpTransport } from './create-smtp-transport.js';
export { redactAddresses } from './redact-addresses.js';
export { type SmtpTarget, smtpTarget } from './smtp-target.js';
export { traceSmtp } from './trace-smtp.js';
