import ipaddr from 'ipaddr.js';

/**
 * True only for a public unicast address. Loopback, unspecified (0.0.0.0/8, ::), private
 * (10/8, 172.16/12, 192.168/16, fc00::/7), link-local (169.254/16, fe80::/10), CGNAT (100.64/10),
 * multicast, broadcast, reserved and the IPv6 forms that carry an IPv4 address (mapped,
 * NAT64, 6to4, Teredo) are not; an IPv4-mapped IPv6 address is judged as its IPv4 address.
 */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  return ipaddr.process(address).range() === 'unicast';
}
