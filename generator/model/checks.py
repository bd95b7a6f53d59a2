"""The structural checks that run before the redundancy rules: reading the YAML, the schema, the cross-references.

Each has a stable id that never changes meaning and never is reused. The redundancy rules live in
`generator/rules/`, one module each.
"""

from generator.model.problem import Check, Severity

E = Severity.ERROR

# Reading the file safely (generator/loader.py).
YAML_SYNTAX = Check("YAML001", "yaml-syntax", E, "The file is not well-formed YAML.")
DUPLICATE_KEY = Check("YAML002", "duplicate-key", E, "A key appears twice in one mapping (after YAML's own conversion of the key).")
UNSUPPORTED_TAG = Check("YAML003", "unsupported-tag", E, "A tag outside YAML's core schema (`!!python/...`, `!!binary`, merge keys `<<`, custom tags).")
ALIAS_LIMIT = Check("YAML004", "alias-limit", E, "Too many alias uses, a recursive alias, or a document that grows too large once aliases are expanded.")
TOO_DEEP = Check("YAML005", "too-deep", E, "Lists and mappings nested deeper than any architecture needs.")
FILE_TOO_LARGE = Check("YAML006", "file-too-large", E, "The file is larger than 1 MiB.")
MULTIPLE_DOCUMENTS = Check("YAML007", "multiple-documents", E, "The file holds more than one YAML document (`---`).")
NOT_UTF8 = Check("YAML008", "not-utf8", E, "The file's bytes are not UTF-8 text.")
EMPTY_FILE = Check("YAML009", "empty-file", E, "The file holds no YAML document.")
COMPLEX_KEY = Check("YAML010", "complex-key", E, "A mapping key is a list or a mapping instead of plain text.")
AMBIGUOUS_SCALAR = Check("YAML011", "ambiguous-scalar", E, "An unquoted value or key that YAML reads as something other than it looks (`no` as false, `010` as 8).")

# The schema (generator/model.py, errors mapped in generator/schema_check.py).
UNKNOWN_KEY = Check("SCHEMA001", "unknown-key", E, "A key the schema does not know.")
MISSING_KEY = Check("SCHEMA002", "missing-key", E, "A required key is missing.")
WRONG_TYPE = Check("SCHEMA003", "wrong-type", E, "A value of the wrong kind (text where a number belongs, a list where a mapping belongs).")
INVALID_VALUE = Check("SCHEMA004", "invalid-value", E, "A value of the right kind that the schema does not accept (not a slug, out of range, not one of the choices, raw HTML).")

# Cross-references inside one file (generator/crosscheck.py).
DUPLICATE_NAME = Check("REF001", "duplicate-name", E, "A host, VM, failure domain, decision or service entry is declared twice.")
UNKNOWN_HOST = Check("REF002", "unknown-host", E, "A VM is placed on a host that is not declared.")
UNDECLARED_FAILURE_DOMAIN = Check("REF003", "undeclared-failure-domain", E, "A host names a failure domain missing from `failure_domains`.")
UNKNOWN_SERVICE = Check("REF004", "unknown-service", E, "A VM runs a service id the catalog does not know.")
ID_MISMATCH = Check("REF005", "id-mismatch", E, "`id` differs from the file name without `.yaml`.")
PLATFORM_MISMATCH = Check("REF006", "platform-mismatch", E, "A platform setting that the chosen hypervisor does not have (`ha`, `witness`, `fencing`, `no_quorum_policy`, `isolation_response`, a storage or management kind).")
UNKNOWN_REFERENCE = Check("REF007", "unknown-reference", E, "A witness, fencing level, storage, switch or management server names a host, VM, storage, switch or failure domain that is not declared, or a VM names storage or a Nova cell that is not declared.")
NOT_A_CELL_SERVICE = Check("REF008", "not-a-cell-service", E, "A VM in a Nova cell runs a service that every cell shares (only a cell's database, queue, conductors and console proxies run per cell).")
VM_ON_STANDBY_HOST = Check("REF011", "vm-on-standby-host", E, "A VM is placed on a host whose `state` is standby, which runs no VM.")
SWITCH_TOPOLOGY = Check("REF010", "switch-topology", E, "Switches that cannot be read as a network: an uplink to the switch itself, `switch` on storage other than san, nfs or csv, or uplinks among more than 16 switches (refarch works out the partitions of every combination of failed switches).")
STORAGE_COPIES = Check("REF009", "storage-copies", E, "A storage's copies cannot be placed as described: `size`, `min_size` or `monitors` on storage other than Ceph, `failures_to_tolerate` together with them, `min_size` above `size`, or copies over failure domains with hosts outside any, or fewer domains than copies.")

ALL = (
    YAML_SYNTAX, DUPLICATE_KEY, UNSUPPORTED_TAG, ALIAS_LIMIT, TOO_DEEP, FILE_TOO_LARGE, MULTIPLE_DOCUMENTS,
    NOT_UTF8, EMPTY_FILE, COMPLEX_KEY, AMBIGUOUS_SCALAR,
    UNKNOWN_KEY, MISSING_KEY, WRONG_TYPE, INVALID_VALUE,
    DUPLICATE_NAME, UNKNOWN_HOST, UNDECLARED_FAILURE_DOMAIN, UNKNOWN_SERVICE, ID_MISMATCH, PLATFORM_MISMATCH,
    UNKNOWN_REFERENCE, NOT_A_CELL_SERVICE, STORAGE_COPIES, SWITCH_TOPOLOGY, VM_ON_STANDBY_HOST,
)
