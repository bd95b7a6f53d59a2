"""What the generated pages need from the site they are built into: the Material theme, Markdown extensions
with the options the pages depend on, and the package's scripts and styles (`assets/`).

Pure: `extension_settings` decides, from the extensions a site configures, what to add and what conflicts;
the MkDocs plugin applies it (`mkdocs_plugin.site_needs`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

ASSETS = Path(__file__).resolve().parent / "assets"
SITE_FOLDER = "assets/refarch"  # where the assets go in the built site
STYLES = ("refarch.css", "diagrams.css", "responsive.css")
SCRIPTS = ("diagram-zoom.js", "whatif.js", "accessibility.js")
# The pages are laid out with Material's classes and colours (tabs, buttons, tables, the colour schemes).
THEME = "material"

# Each extension the pages need: the options they depend on, each with why. Material styles tabs only in
# the alternate style (https://squidfunk.github.io/mkdocs-material/reference/content-tabs/).
EXTENSIONS: dict[str, dict[str, tuple[object, str]]] = {
    "admonition": {},
    "attr_list": {},
    "md_in_html": {},
    "tables": {},
    "toc": {},
    "pymdownx.superfences": {},
    "pymdownx.tabbed": {
        "alternate_style": (True, "Material styles the build guides' tabs only in the alternate style"),
    },
}


Options = dict[str, object]


def extension_settings(configured: Mapping[str, Mapping[str, object]]) -> tuple[dict[str, Options], list[str]]:
    """From a site's extensions (its names, Markdown's own perhaps in full as `markdown.extensions.attr_list`,
    with their options): the options to set for each extension by the site's name of it (an extension it
    lacks, with no options, is to be added), and a line for each option the site sets otherwise."""
    by_short = {name.removeprefix("markdown.extensions."): name for name in configured}
    settings: dict[str, Options] = {}
    conflicts = []
    for extension, needed in EXTENSIONS.items():
        name = by_short.get(extension, extension)
        own = configured.get(name, {})
        settings[name] = {option: value for option, (value, _) in needed.items() if option not in own}
        conflicts += [f"markdown_extensions: {name}: {option} is {json.dumps(own[option])}; refarch's pages need "
                      f"{json.dumps(value)} ({why}): set it so, or leave it out"
                      for option, (value, why) in needed.items() if option in own and own[option] != value]
    return settings, conflicts
