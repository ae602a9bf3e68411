import { ChannelDeliveryError } from '../errors/channel-delivery-error.js';

/** POSTs a body and fails with a typed error on anything but a 2xx answer. */
export async function postJson(
  channel: string,
  url: string,
  body: string,
  headers: Record<string, string> = {},
  timeoutMs = 10_000,
): Promise<void> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json', ...headers },
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    throw new ChannelDeliveryError(channel, (error as Error).message);
  }
  // Drain the body so the connection is released.
  await response.arrayBuffer().catch(() => undefined);
  if (!response.ok) throw new ChannelDeliveryError(channel, `receiver answered ${response.status}`);
}
