"""Options of the `refarch` MkDocs plugin."""

from mkdocs.config import config_options as c
from mkdocs.config.base import Config


class RefarchConfig(Config):
    enabled = c.Type(bool, default=True)
    # Where the architecture files are, relative to mkdocs.yml.
    architectures_dir = c.Type(str, default="architectures")
    # Rendered diagrams, reused while their input is unchanged; relative to mkdocs.yml.
    cache_dir = c.Type(str, default=".cache/refarch")
