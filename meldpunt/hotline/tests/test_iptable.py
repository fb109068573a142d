import gzip
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from meldpunt.hotline.iptable import IpTableInvalid, address_key, ip_network, ip_table_import
from meldpunt.hotline.models import IpRange, IpTableImport

SAMPLE = Path(__file__).parent / "data" / "ip2asn-sample.tsv"
pytestmark = pytest.mark.django_db


def test_keys_sort_like_the_addresses():
    addresses = ["0.0.0.0", "9.255.255.255", "10.0.0.0", "127.0.0.1", "255.255.255.255", "::1"]
    keys = [address_key(a) for a in addresses]
    assert all(len(key) == 32 for key in keys)
    assert address_key("::ffff:10.0.0.0") == address_key("10.0.0.0")
    assert sorted(keys[:5]) == keys[:5]


def test_sample_table_answers_ipv4_and_ipv6_look_ups():
    assert ip_table_import(path=SAMPLE) == 8  # the "Not routed" range is skipped
    assert ip_network("1.0.0.1").asn == 13335
    assert ip_network("1.0.2.1") is None  # not routed
    # The ranges either side of the 9/10 boundary: hex digit 9 sorts before a on
    # every database collation.
    assert (ip_network("9.255.255.255").asn, ip_network("10.0.0.0").asn) == (64496, 64497)
    network = ip_network("193.0.6.139")
    assert (network.asn, network.country) == (3333, "NL")
    assert network.organisation.startswith("RIPE-NCC-AS")
    assert ip_network("193.0.24.1") is None  # past the end of the range before it
    assert ip_network("2a00:1450:4001:82a::200e").country == "IE"
    assert ip_network("::1").asn == 64501
    assert ip_network("::2") is None
    assert ip_network("8.8.8.8") is None


def test_an_import_replaces_the_table_all_or_nothing(tmp_path):
    ip_table_import(path=SAMPLE)
    broken = tmp_path / "broken.tsv"
    broken.write_text("8.8.8.0\t8.8.8.255\t15169\tUS\tGOOGLE\n8.8.9.0\tnot-an-ip\t1\tUS\tX\n")
    with pytest.raises(IpTableInvalid, match="line 2"):
        ip_table_import(path=broken)
    assert IpRange.objects.count() == 8
    assert ip_network("8.8.8.8") is None
    backwards = tmp_path / "backwards.tsv"
    backwards.write_text("8.8.8.255\t8.8.8.0\t15169\tUS\tGOOGLE\n")
    with pytest.raises(IpTableInvalid):
        ip_table_import(path=backwards)
    packed = tmp_path / "ip2asn-combined.tsv.gz"
    with gzip.open(packed, "wt") as out:
        out.write("8.8.8.0\t8.8.8.255\t15169\tUS\tGOOGLE\n")
    assert ip_table_import(path=packed) == 1
    assert ip_network("8.8.8.8").asn == 15169
    assert ip_network("1.0.0.1") is None
    assert IpTableImport.objects.latest("pk").source == "ip2asn-combined.tsv.gz"


def test_the_command_imports_and_refuses_bad_files(tmp_path):
    out = StringIO()
    call_command("hotline", "import-ip-table", str(SAMPLE), stdout=out)
    assert "8 ranges imported" in out.getvalue()
    bad = tmp_path / "bad.tsv"
    bad.write_text("garbage\n")
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("hotline", "import-ip-table", str(bad))
    with pytest.raises(CommandError, match="no such file"):
        call_command("hotline", "import-ip-table", str(tmp_path / "missing.tsv"))
    assert IpRange.objects.count() == 8
