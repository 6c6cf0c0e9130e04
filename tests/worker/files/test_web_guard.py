"""The address rule: which hosts a feed may make a worker connect to."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import httpx
import pytest

from config.settings import Settings
from tests.web_server import PhotoServer
from worker.files.web_fetch import WebClient
from worker.files.web_guard import AddressPolicy, AddressRefused, checked_address, guarded_transport
from worker.job.errors import JobFailed


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("169.254.169.254", "link-local"),  # the cloud metadata service
        ("fe80::1", "link-local"),
        ("127.0.0.1", "loopback"),
        ("::1", "loopback"),
        ("::ffff:127.0.0.1", "loopback"),  # IPv4-mapped
        ("10.0.0.5", "private"),
        ("172.16.3.4", "private"),
        ("192.168.1.1", "private"),
        ("fd12:3456::1", "private"),
        ("100.64.0.1", "not a public address"),  # carrier-grade NAT
        ("0.0.0.0", "private"),
    ],
)
def test_private_loopback_and_link_local_addresses_are_refused(address: str, reason: str) -> None:
    refused = AddressPolicy().refuses(ipaddress.ip_address(address))
    assert refused is not None and reason in refused


@pytest.mark.parametrize("address", ["8.8.8.8", "151.101.1.69", "2a04:4e42::645"])
def test_public_addresses_are_allowed(address: str) -> None:
    assert AddressPolicy().refuses(ipaddress.ip_address(address)) is None


def test_the_setting_allows_all_or_the_networks_it_lists() -> None:
    assert AddressPolicy.from_setting("1").refuses(ipaddress.ip_address("10.0.0.5")) is None
    listed = AddressPolicy.from_setting("10.1.0.0/16, 127.0.0.1")
    assert listed.refuses(ipaddress.ip_address("10.1.2.3")) is None
    assert listed.refuses(ipaddress.ip_address("127.0.0.1")) is None
    assert listed.refuses(ipaddress.ip_address("10.2.0.1")) is not None
    assert AddressPolicy.from_setting("0") == AddressPolicy()


def test_a_name_is_judged_by_what_it_resolves_to() -> None:
    with pytest.raises(AddressRefused, match=r"localhost \((127\.0\.0\.1|::1)\) is a loopback"):
        checked_address("localhost", 80, AddressPolicy())


def test_the_guard_is_what_connects(tmp_path: Path) -> None:
    """Through the httpx transport itself: a refused address never gets a connection."""
    with PhotoServer() as server:
        client = httpx.Client(transport=guarded_transport(AddressPolicy(), httpx.Limits()))
        with pytest.raises(AddressRefused):
            client.get(server.url("/a.jpg"))
        assert server.requests == []
        fetcher = WebClient(Settings(fetch_cache_dir=tmp_path / "cache"))
        with pytest.raises(JobFailed, match=r"127\.0\.0\.1 is a loopback address: refused"):
            fetcher.fetch_photo(server.url("/a.jpg"), tmp_path / "job")
        assert server.requests == []
