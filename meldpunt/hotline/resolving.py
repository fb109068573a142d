"""Name resolution for the crawler, and which addresses it may connect to.

A reported address is chosen by a stranger, so it may point at the reporting
point's own network (server-side request forgery): ``http://10.0.0.5/admin``,
or a name that resolves to 127.0.0.1. The crawler resolves names itself with
dnspython, refuses every address that is not globally routable, and connects
to exactly the address it checked; it never lets a library resolve the name a
second time, so a name cannot answer "public" to the check and "private" to
the connection (DNS rebinding).
"""

import ipaddress
from dataclasses import dataclass, field

import dns.exception
import dns.inet
import dns.name
import dns.nameserver
import dns.rdatatype
import dns.resolver

from meldpunt.hotline.conf import hotline_setting

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class ResolveError(Exception):
    """The name has no usable address; ``code`` says why (recorded on the fetch)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def _nameserver(server: str) -> dns.nameserver.Do53Nameserver:
    """ "192.0.2.53", "192.0.2.53:5353", "2001:db8::53" or "[2001:db8::53]:5353"."""
    if server.startswith("["):
        address, _, port = server[1:].partition("]:")
    elif server.count(":") == 1:
        address, _, port = server.partition(":")
    else:
        address, port = server, ""
    return dns.nameserver.Do53Nameserver(address, int(port or 53))


def _resolver() -> dns.resolver.Resolver:
    """A resolver on the configured name servers, or the system's; no cache between calls."""
    servers = hotline_setting("HOTLINE_DNS_NAMESERVERS")
    resolver = dns.resolver.Resolver(configure=not servers)
    if servers:
        resolver.nameservers = [_nameserver(server) for server in servers]
    resolver.lifetime = hotline_setting("HOTLINE_DNS_TIMEOUT_SECONDS")
    resolver.timeout = resolver.lifetime
    return resolver


@dataclass(frozen=True)
class HostAddresses:
    """The A and AAAA records of a host at one moment (IPv4 first, no duplicates)."""

    host: str
    addresses: list[str] = field(default_factory=list)


def host_resolve(host: str) -> HostAddresses:
    """A and AAAA records of a host name; an IP literal is its own address.

    Raises ResolveError("nxdomain") when the name does not exist, ("no_address")
    when it has no A or AAAA record, ("dns_error") when no server answered.
    """
    if dns.inet.is_address(host):
        return HostAddresses(host, [str(ipaddress.ip_address(host))])
    try:
        resolver = _resolver()
    except (dns.exception.DNSException, OSError) as error:  # no resolv.conf, bad setting
        raise ResolveError("dns_error") from error
    found: list[str] = []
    does_not_exist = 0
    for rdtype in (dns.rdatatype.A, dns.rdatatype.AAAA):
        try:
            answer = resolver.resolve(dns.name.from_text(host), rdtype, search=False)
        except dns.resolver.NXDOMAIN:
            does_not_exist += 1
        except dns.resolver.NoAnswer:
            continue
        except (dns.exception.DNSException, OSError) as error:
            raise ResolveError("dns_error") from error
        else:
            found += [record.address for record in answer]
    if does_not_exist:
        raise ResolveError("nxdomain")
    if not found:
        raise ResolveError("no_address")
    return HostAddresses(host, list(dict.fromkeys(found)))


def _extra_allowed() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [ipaddress.ip_network(net) for net in hotline_setting("HOTLINE_FETCH_ALLOWED_NETWORKS")]


def address_is_allowed(address: str) -> bool:
    """Whether the crawler may connect to this address.

    Only globally routable unicast addresses (Python's ``is_global``, which
    follows the IANA special-purpose registries) are allowed: private,
    loopback, link-local, shared (100.64/10), multicast, reserved, documentation
    and unspecified addresses are not. IPv4-mapped and 6to4/Teredo-embedded
    addresses are judged by the IPv4 address inside. The test suite alone adds
    its own 127.0.0.1 through HOTLINE_FETCH_ALLOWED_NETWORKS.
    """
    try:
        ip: IPAddress = ipaddress.ip_address(address)
    except ValueError:
        return False
    if any(ip in network for network in _extra_allowed()):
        return True
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if embedded is not None:
            return _is_public(embedded)
    return _is_public(ip)


def _is_public(ip: IPAddress) -> bool:
    return ip.is_global and not ip.is_multicast and not ip.is_reserved
