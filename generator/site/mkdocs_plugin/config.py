"""Options of the `refarch` MkDocs plugin."""

from mkdocs.config import config_options as c
from mkdocs.config.base import Config


class RefarchConfig(Config):
    enabled = c.Type(bool, default=True)
    # Where the architecture files are, relative to mkdocs.yml.
    architectures_dir = c.Type(str, default="architectures")
    # Rendered diagrams and what each architecture file gives (pages, assets), reused while their inputs
    # are unchanged; relative to mkdocs.yml, safe to delete.
    cache_dir = c.Type(str, default=".cache/refarch")
    # Processes that analyse architecture files in a cold build; 0: one per core.
    workers = c.Type(int, default=0)
    # Leave out of the built site what it never uses: the blank runs the theme leaves between tags, the
    # theme's source maps and the search languages not configured (generator.site_output).
    trim_output = c.Type(bool, default=True)
