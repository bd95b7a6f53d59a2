"""RED024: a required service another one serves in the design's release (and RED001 where it cannot)."""

import pytest
from conftest import findings
from test_catalog_releases import WITHOUT_METADATA, design


def test_before_2026_1_a_design_without_nova_metadata_validates_with_a_warning():
    text = design("2025.1")
    assert findings(text, "RED001") == []
    [warning] = findings(text, "RED024")
    assert warning.severity.value == "warning"
    assert (warning.line, warning.col) == (4, 22)  # at openstack.release
    assert "enabled_apis" in warning.message and "nova-api" in warning.message
    assert "from 2026.1 it is required" in warning.hint
    # the older name of the same release reads the same
    assert findings(design("epoxy"), "RED001") == [] and len(findings(design("epoxy"), "RED024")) == 1


@pytest.mark.parametrize(("release", "hint"), [
    ("2026.1", "From 2026.1 `nova-api` can no longer serve it"),
    ("gazpacho", "From 2026.1 `nova-api` can no longer serve it"),
    (None, 'name that release in `openstack.release` (quoted, "2025.1")'),
    ("master", 'name that release in `openstack.release` (quoted, "2025.1")'),
])
def test_from_2026_1_or_without_a_known_release_it_stays_an_error_that_says_what_to_change(release, hint):
    [error] = findings(design(release), "RED001")
    assert error.severity.value == "error" and "`nova-metadata`" in error.message
    assert hint in error.hint
    assert findings(design(release), "RED024") == []


def test_before_2026_1_without_nova_api_either_both_are_reported():
    text = design("2025.1", WITHOUT_METADATA.replace("nova-api, ", ""))
    assert {p.message.split("`")[1] for p in findings(text, "RED001")} == {"nova-api", "nova-metadata"}
    assert any("no VM runs that either" in p.hint for p in findings(text, "RED001"))
