"""Schema v1: strict types, unknown and missing keys, bounded plain text, and the committed JSON Schema."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import VALID, check, edit, found

from generator.model.architecture import Architecture, json_schema

ROOT = Path(__file__).resolve().parent.parent


def test_valid_file_gives_a_model():
    result = check(VALID)
    assert result.ok
    arch = result.architecture
    assert isinstance(arch, Architecture)
    assert [vm.host for vm in arch.vms] == ["kvm-01", "kvm-02"]
    assert arch.status == "reference"  # the default
    assert arch.platform.anti_affinity == "preferred"
    assert arch.openstack.networking == "ovs"


@pytest.mark.parametrize(("old", "new", "expected"), [
    ("cpus: 16", 'cpus: "16"', (12, 11, "SCHEMA003")),      # "8" must not become 8
    ("cpus: 16", "cpus: 16.0", (12, 11, "SCHEMA003")),
    ("cpus: 16", "cpus: yes", (12, 11, "SCHEMA003")),
    ("title: A small design", "title: 2024-01-01", None),   # a date stays text, and is a fine title
    ("title: A small design", "title: NO", (2, 8, "SCHEMA003")),  # NO must not become False
    ("title: A small design", "title: 3.10", (2, 8, "SCHEMA003")),
])
def test_no_silent_conversion(old, new, expected):
    assert found(edit(old, new)) == ([expected] if expected else [])


def test_a_value_yaml_converted_gets_a_quoting_hint():
    [problem] = check(edit("summary: Two hosts, for tests.", "summary: off")).problems
    assert problem.rule == "SCHEMA003"
    assert problem.hint == 'YAML reads `off` as the boolean false; quote it if you mean the text: "off"'


def test_status_no_is_not_false():
    [problem] = check(edit("summary: Two hosts, for tests.\n", "summary: Two hosts, for tests.\nstatus: NO\n")).problems
    assert (problem.line, problem.rule) == (4, "SCHEMA004")
    assert '"NO"' in problem.hint


def test_unknown_key_points_at_the_key_and_suggests():
    [problem] = check(edit("memory_gib: 128", "memroy_gib: 128")).problems
    assert (problem.line, problem.col, problem.rule) == (13, 5, "SCHEMA001")
    assert problem.message == "hosts[0]: unknown key `memroy_gib`"
    assert problem.hint == "did you mean `memory_gib`?"


def test_unknown_key_without_near_miss_lists_the_known_keys():
    [problem] = check(edit("  fencing: ipmi\n", "  fencing: ipmi\n  colour: red\n")).problems
    assert problem.rule == "SCHEMA001"
    assert "hypervisor, ha, restart_seconds" in problem.hint


def test_missing_key_points_at_the_enclosing_mapping():
    [problem] = check(edit("  - name: db-02\n    host: kvm-02\n", "  - host: kvm-02\n")).problems
    assert (problem.line, problem.col, problem.rule) == (22, 5, "SCHEMA002")
    assert problem.message == "vms[1]: missing required key `name`"


def test_all_schema_problems_at_once():
    text = edit("cpus: 16", 'cpus: "16"', edit("ha: pacemaker", "ha: corosync", edit("id: arch", "id: Arch")))
    assert found(text) == [(1, 5, "SCHEMA004"), (6, 7, "SCHEMA004"), (12, 11, "SCHEMA003")]


def test_hypervisor_openstack_gives_the_reason():
    [problem] = check(edit("hypervisor: kvm", "hypervisor: openstack")).problems
    assert problem.rule == "RED008"
    assert "cannot host its own control plane" in problem.message


def test_unknown_hypervisor_is_rule_red008_and_suggests():
    [problem] = check(edit("hypervisor: kvm", "hypervisor: kvn")).problems
    assert (problem.line, problem.col, problem.rule) == (5, 15, "RED008")
    assert "`kvn` is not a management hypervisor" in problem.message
    assert problem.hint == "did you mean `kvm`?"


@pytest.mark.parametrize("name", ["../../etc/passwd", "Kvm-01", "kvm.01", "kvm_01", "-kvm", "kvm--01", "con", "x" * 64,
                                  "kvm/01", "ｋｖｍ"])
def test_names_are_slugs(name):
    text = edit("  - name: db-02", f"  - name: '{name}'")
    assert found(text) == [(22, 11, "SCHEMA004")]


@pytest.mark.parametrize(("old", "new"), [
    ("title: A small design", "title: <script>alert(1)</script>"),
    ("title: A small design", "title: 'x <img src=x onerror=alert(1)>'"),
    ("summary: Two hosts, for tests.", "summary: 'see <!-- comment -->'"),
    ("decision: Two database VMs.", "decision: <b>bold</b>"),
    ("title: A small design", 'title: "two\\nlines"'),
    ("title: A small design", "title: '   '"),
])
def test_text_fields_refuse_html_and_blank_or_multiline_titles(old, new):
    assert [rule for _, _, rule in found(edit(old, new))] == ["SCHEMA004"]


@pytest.mark.parametrize("text", ["a < b and c > d", "x -> y", "3 <= 4"])
def test_comparison_signs_are_not_html(text):
    assert found(edit("summary: Two hosts, for tests.", f"summary: '{text}'")) == []


def test_a_megabyte_string_is_refused_by_length():
    problems = check(edit("title: A small design", "title: " + "x" * 1_000_000)).problems
    assert [(p.line, p.rule) for p in problems] == [(2, "SCHEMA004")]
    assert "1,000,000 characters; at most 200" in problems[0].message


def test_a_value_the_loader_refused_is_not_reported_again():
    assert found(edit("cpus: 16", "cpus: 016")) == [(12, 11, "YAML011")]
    assert found(edit("title: A small design", "title: !!binary aGk=")) == [(2, 8, "YAML003")]


@pytest.mark.parametrize(("old", "new"), [
    ("hosts:\n  - name: kvm-01", "hosts: []\nold:\n  - name: kvm-01"),
    ("vms:\n", "vms: {}\nold:\n"),
])
def test_empty_or_wrongly_shaped_lists(old, new):
    rules = [rule for _, _, rule in found(edit(old, new))]
    assert rules[0] in ("SCHEMA003", "SCHEMA004")


def test_the_whole_file_must_be_a_mapping():
    assert found("- a\n- b\n") == [(1, 1, "SCHEMA003")]


def test_committed_json_schema_matches_the_models():
    committed = json.loads((ROOT / "architectures" / "architecture.schema.json").read_text())
    assert committed == json_schema(), "run: refarch schema > architectures/architecture.schema.json"


def test_json_schema_forbids_unknown_keys_everywhere():
    schema = json_schema()
    assert schema["additionalProperties"] is False
    assert all(definition["additionalProperties"] is False for definition in schema["$defs"].values())
    assert schema["properties"]["platform"]["$ref"] == "#/$defs/Platform"
    assert schema["$defs"]["Platform"]["properties"]["hypervisor"]["enum"] == ["vsphere", "hyperv", "kvm"]
