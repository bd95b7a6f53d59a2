"""refarch: reference architectures for an OpenStack control plane on a management cluster of its own."""

__version__ = "0.1.0"
