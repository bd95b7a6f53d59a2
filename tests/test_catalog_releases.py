"""Facts that hold from or before an OpenStack release: the release order, nova-api serving metadata
before 2026.1 (RED024, RED001's hint), Horizon's sessions in Valkey from kolla-ansible 22.0.0."""

from __future__ import annotations

import pytest
from conftest import CLEAN, findings
from test_impact import engine, fail, states

from generator.catalog import releases

WITHOUT_METADATA = CLEAN.replace("nova-metadata, ", "")


def design(release: str | None, text: str = WITHOUT_METADATA) -> str:
    line = "" if release is None else f'openstack: {{release: "{release}"}}\n'
    return text.replace("platform:\n", f"{line}platform:\n", 1)


@pytest.mark.parametrize(("older", "newer"), [
    ("zed", "2023.1"), ("Wallaby", "xena"), ("2024.2", "2025.1"), ("2025.2", "2026.1"), ("epoxy", "2025.2"),
    ("Antelope", "bobcat"), ("yoga", "Caracal")])
def test_releases_are_ordered_whether_named_or_numbered(older, newer):
    assert releases.order(older) < releases.order(newer)
    assert releases.before(older, "2026.1") or not releases.before(newer, "2026.1")


@pytest.mark.parametrize("text", ["master", "2025.3", "25.1", "17.0.0", None])
def test_text_that_names_no_release_is_neither_before_nor_since_a_bound(text):
    assert releases.order(text) is None
    assert not releases.before(text, "2026.1") and not releases.since(text, "2026.1")


def test_instance_metadata_then_goes_through_nova_api():
    eng = engine(design("2025.1"))
    assert "nova-api" in eng.facts.operations["instance-metadata"].requires
    assert "nova-metadata" not in eng.facts.operations["instance-metadata"].requires
    assert states(fail(eng, "nova-api").immediate)["instance-metadata"] == "down"
    assert states(fail(eng, "neutron-metadata-agent").immediate)["instance-metadata"] == "down"
    # with nova-metadata deployed, nova-api's loss leaves metadata alone
    both = engine(design("2025.1", CLEAN))
    assert states(fail(both, "nova-api").immediate)["instance-metadata"] == "ok"
    assert findings(design("2025.1", CLEAN), "RED024") == []


def with_valkey(release: str) -> str:
    text = CLEAN.replace("memcached, ", "memcached, valkey, ")
    return text.replace("platform:\n", f'openstack: {{release: "{release}", coordination: valkey}}\nplatform:\n', 1)


def test_horizon_sessions_move_to_valkey_from_kolla_ansible_22_with_valkey():
    horizon = ", horizon, valkey"
    newer = engine(with_valkey("2026.1").replace(", valkey", horizon))
    older = engine(with_valkey("2025.2").replace(", valkey", horizon))
    assert newer.facts.operations["dashboard-login"].requires == ["horizon", "keystone", "valkey"]
    assert older.facts.operations["dashboard-login"].requires == ["horizon", "keystone", "memcached"]
    assert states(fail(newer, "valkey").immediate)["dashboard-login"] == "down"
    assert states(fail(newer, "memcached").immediate)["dashboard-login"] != "down"
    assert states(fail(older, "memcached").immediate)["dashboard-login"] == "down"
    assert states(fail(older, "valkey").immediate)["dashboard-login"] == "ok"
