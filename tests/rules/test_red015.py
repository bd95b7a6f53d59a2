from conftest import CLEAN, edit, findings, where


def test_vms_need_more_than_the_host_offers():
    text = edit("{name: kvm-01, cpus: 32, memory_gib: 128}", "{name: kvm-01, cpus: 4, memory_gib: 16}", CLEAN)
    problems = findings(text, "RED015")
    assert where(problems) == [(9, 12), (9, 12)]
    assert sorted(p.message for p in problems) == [
        "the VMs on host kvm-01 need 32 GiB of memory; it offers 16",
        "the VMs on host kvm-01 need 8 vCPUs; it offers 4",
    ]


def test_exactly_full_passes():
    text = edit("{name: kvm-01, cpus: 32, memory_gib: 128}", "{name: kvm-01, cpus: 8, memory_gib: 32}", CLEAN)
    assert findings(text, "RED015") == []
