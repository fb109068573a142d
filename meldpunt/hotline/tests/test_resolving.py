import pytest

from meldpunt.hotline.resolving import ResolveError, address_is_allowed, host_resolve


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",  # cloud metadata
        "100.64.0.1",  # carrier-grade NAT
        "0.0.0.0",
        "224.0.0.1",
        "240.0.0.1",
        "255.255.255.255",
        "192.0.2.1",  # documentation
        "::1",
        "::",
        "fe80::1",
        "fc00::1",
        "ff02::1",
        "::ffff:127.0.0.1",  # IPv4-mapped loopback
        "::ffff:10.0.0.1",
        "2002:7f00:1::",  # 6to4 around 127.0.0.1
        "2001:db8::1",
        "not an address",
    ],
)
def test_non_global_addresses_are_not_allowed(address):
    assert not address_is_allowed(address)


@pytest.mark.parametrize(
    "address", ["1.1.1.1", "193.0.6.139", "2a00:1450:4001::1", "::ffff:8.8.8.8"]
)
def test_global_addresses_are_allowed(address):
    assert address_is_allowed(address)


def test_the_test_exception_covers_exactly_its_network(settings):
    settings.HOTLINE_FETCH_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    assert address_is_allowed("127.0.0.1")
    assert not address_is_allowed("127.0.0.2")
    assert not address_is_allowed("::1")
    assert not address_is_allowed("10.0.0.1")


def test_names_are_resolved_by_the_configured_server(fake_dns):
    fake_dns.zone["www.example.test"] = ["192.0.2.10", "192.0.2.11", "2001:db8::10"]
    found = host_resolve("www.example.test")
    assert sorted(found.addresses) == ["192.0.2.10", "192.0.2.11", "2001:db8::10"]
    assert ("www.example.test", "A") in fake_dns.queries
    assert ("www.example.test", "AAAA") in fake_dns.queries


def test_resolution_failures_have_codes(fake_dns, settings):
    fake_dns.zone["empty.example.test"] = []
    with pytest.raises(ResolveError) as missing:
        host_resolve("missing.example.test")
    assert missing.value.code == "nxdomain"
    with pytest.raises(ResolveError) as empty:
        host_resolve("empty.example.test")
    assert empty.value.code == "no_address"
    fake_dns.close()  # nobody answers any more
    settings.HOTLINE_DNS_TIMEOUT_SECONDS = 0.5
    with pytest.raises(ResolveError) as silent:
        host_resolve("www.example.test")
    assert silent.value.code == "dns_error"


def test_an_ip_literal_is_not_looked_up(fake_dns):
    assert host_resolve("2001:db8::1").addresses == ["2001:db8::1"]
    assert fake_dns.queries == []
