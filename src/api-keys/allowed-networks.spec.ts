import { compileNetworks, parseAllowedNetworks } from './allowed-networks';

describe('allowed networks', () => {
  it('reads one range per line, canonically, bare addresses as single hosts', () => {
    expect(parseAllowedNetworks('10.1.2.3/8\n\n 203.0.113.7 \r\n2001:DB8:0:0:1::/32\n::1\n10.0.0.0/8')).toEqual({
      networks: ['10.0.0.0/8', '203.0.113.7/32', '2001:db8::/32', '::1/128'],
      errors: [],
    });
  });

  it('names every bad entry with what is wrong', () => {
    const { errors } = parseAllowedNetworks(['10.0.0.0/33', 'office', '2001:db8::/129', '1.2.3.4/x']);
    expect(errors).toEqual([
      '“10.0.0.0/33”: the prefix length must be 0 to 32',
      '“office”: not an IPv4 or IPv6 address or CIDR range (e.g. 203.0.113.0/24, 2001:db8::/32)',
      '“2001:db8::/129”: the prefix length must be 0 to 128',
      '“1.2.3.4/x”: the prefix length must be 0 to 32',
    ]);
  });

  it('matches IPv4, IPv6 and IPv4-mapped client addresses', () => {
    const m = compileNetworks(['127.0.0.0/8', '2001:db8::/32'])!;
    expect(m.allows('127.0.0.1')).toBe(true);
    expect(m.allows('::ffff:127.0.0.1')).toBe(true);
    expect(m.allows('2001:db8:1::5')).toBe(true);
    expect(m.allows('::1')).toBe(false);
    expect(m.allows('192.0.2.1')).toBe(false);
    expect(m.allows('192.0.2.1')).toBe(false);
    expect(m.allows(undefined)).toBe(false);
    expect(compileNetworks([])).toBeNull();
  });
});
