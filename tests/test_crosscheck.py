"""Cross-checks inside one file: unique names, references that resolve, the file name, platform settings."""

from __future__ import annotations

from conftest import check, edit, found


def only(text: str, stem: str = "arch"):
    [problem] = check(text, stem).problems
    return problem


def test_id_must_equal_the_file_stem():
    problem = only(edit("id: arch", "id: other"))
    assert (problem.line, problem.col, problem.rule) == (1, 5, "REF005")
    assert problem.hint == "rename the file to other.yaml, or set `id: arch`"


def test_names_are_unique_among_hosts_and_vms():
    problem = only(edit("  - name: db-02", "  - name: kvm-01"))
    assert (problem.line, problem.rule) == (22, "REF001")
    assert "line 10" in problem.message


def test_vm_on_an_unknown_host_suggests_the_near_miss():
    problem = only(edit("    host: kvm-02", "    host: kvm-2"))
    assert (problem.line, problem.col, problem.rule) == (23, 11, "REF002")
    assert problem.hint == "did you mean `kvm-02`?"


def test_vm_placed_on_a_vm():
    problem = only(edit("    host: kvm-02", "    host: db-01"))
    assert problem.rule == "REF002"
    assert "is a VM" in problem.hint


def test_undeclared_failure_domain():
    problem = only(edit("failure_domain: rack-b", "failure_domain: rack-c"))
    assert (problem.line, problem.col, problem.rule) == (15, 21, "REF003")


def test_duplicate_failure_domain():
    assert found(edit("[rack-a, rack-b]", "[rack-a, rack-b, rack-a]")) == [(8, 35, "REF001")]


def test_unknown_service_suggests_the_near_miss():
    problem = only(edit("services: [galera, rabbitmq]", "services: [galeraa, rabbitmq]"))
    assert (problem.line, problem.col, problem.rule) == (21, 16, "REF004")
    assert problem.hint == "did you mean `galera`?"


def test_a_service_listed_twice_on_one_vm():
    assert found(edit("services: [galera, rabbitmq]", "services: [galera, rabbitmq, galera]")) == [(21, 34, "REF001")]


def test_duplicate_decision_ids():
    text = edit("decisions:\n", "decisions:\n  - {id: D01, decision: a, justification: b, implication: c}\n")
    assert found(text) == [(27, 9, "REF001")]


def test_ha_mechanism_belongs_to_the_hypervisor():
    # kvm has no vsphere-ha, and fencing is then out of place too.
    assert found(edit("ha: pacemaker", "ha: vsphere-ha")) == [(6, 7, "REF006"), (7, 12, "REF006")]


def test_witness_belongs_to_the_hypervisor():
    problem = only(edit("  fencing: ipmi", "  fencing: ipmi\n  witness: disk"))
    assert (problem.line, problem.col, problem.rule) == (8, 12, "REF006")
    assert problem.hint == "for kvm use one of: qdevice"


def test_fencing_is_for_pacemaker_only():
    text = edit("hypervisor: kvm\n  ha: pacemaker", "hypervisor: vsphere\n  ha: vsphere-ha")
    assert found(text) == [(7, 12, "REF006")]


def test_a_witness_needs_a_cluster():
    text = edit("  ha: pacemaker\n  fencing: ipmi", "  ha: none\n  witness: qdevice")
    problem = only(text)
    assert (problem.line, problem.rule) == (7, "REF006")
    assert "platform.ha is `none`" in problem.message


def test_every_cross_check_problem_at_once():
    text = edit("    host: kvm-02", "    host: nowhere", edit("id: arch", "id: other"))
    assert [rule for _, _, rule in found(text)] == ["REF005", "REF002"]


def test_fencing_power_names_a_declared_domain_or_a_keyword():
    levels = ("  fencing:\n    - {name: ipmi, kind: ipmi, powered_by: host}\n"
              "    - {name: pdu, kind: pdu, powered_by: %s}\n")
    for keyword in ("host", "failure-domain", "independent", "rack-b"):
        assert check(edit("  fencing: ipmi\n", levels % keyword)).problems == [], keyword
    problem = only(edit("  fencing: ipmi\n", levels % "rack-z"))
    assert problem.rule == "REF007" and problem.message == "platform.fencing[1].powered_by: `rack-z` is not a " \
        "declared failure domain"


def test_a_storage_kind_belongs_to_the_platform():
    problem = only(edit("vms:\n", "storage:\n  - {name: csv-01, kind: csv}\nvms:\n"))
    assert (problem.rule, problem.message) == ("REF006", "storage[0]: kvm has no `csv` storage")
    assert problem.hint == "use one of: san, nfs, ceph, local"
