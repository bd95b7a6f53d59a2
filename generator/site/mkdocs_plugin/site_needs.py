"""What refarch's pages need from the MkDocs project they are built in, added to its configuration.

The pages use Markdown extensions (ids on headings, Markdown inside HTML, admonitions, tabs) and load the
explorer, the diagram viewer, the accessibility script and their styles, which ship inside the package.
A project that lacks an extension gets it; a project that configures one in a way the pages cannot work
with, or uses another theme than Material, stops with an error that names the option, because a strict
build must never pass with broken pages.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from mkdocs.config.config_options import ExtraScriptValue
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files

if TYPE_CHECKING:
    from mkdocs.config.defaults import MkDocsConfig

ASSETS = Path(__file__).resolve().parent.parent / "assets"
SITE_FOLDER = "assets/refarch"  # where the assets go in the built site
STYLES = ("refarch.css", "diagrams.css", "responsive.css")
SCRIPTS = ("diagram-zoom.js", "whatif.js", "accessibility.js")

# Each extension the pages need, with the options they depend on. Material styles tabs only in the
# alternate style (https://squidfunk.github.io/mkdocs-material/reference/content-tabs/).
EXTENSIONS: dict[str, dict[str, object]] = {
    "admonition": {},
    "attr_list": {},
    "md_in_html": {},
    "tables": {},
    "toc": {},
    "pymdownx.superfences": {},
    "pymdownx.tabbed": {"alternate_style": True},
}
_WHY = {("pymdownx.tabbed", "alternate_style"): "Material styles the build guides' tabs only in the alternate style"}


def _short(name: str) -> str:
    """Markdown's own extensions may be named in full (`markdown.extensions.attr_list`)."""
    return name.removeprefix("markdown.extensions.")


def add_extensions(config: MkDocsConfig) -> None:
    """Add to the project's Markdown extensions the ones the pages need, with the options they depend on
    where the project leaves them unset. Raises PluginError naming each option the project sets otherwise."""
    configured = {_short(name): name for name in config.markdown_extensions}
    conflicts = []
    for extension, options in EXTENSIONS.items():
        name = configured.get(extension)
        if name is None:
            config.markdown_extensions.append(extension)
            if options:
                config.mdx_configs[extension] = dict(options)
            continue
        own = config.mdx_configs.setdefault(name, {})
        for option, value in options.items():
            if option not in own:
                own[option] = value
            elif own[option] != value:
                conflicts.append(f"markdown_extensions: {name}: {option} is {json.dumps(own[option])}; refarch's "
                                 f"pages need {json.dumps(value)} ({_WHY[extension, option]}): set it so, or leave "
                                 "it out")
    if conflicts:
        raise PluginError("refarch: the project's configuration conflicts with what its pages need:\n"
                          + "\n".join(conflicts))


def check_theme(config: MkDocsConfig) -> None:
    """The pages are laid out with Material's classes and colours (tabs, buttons, tables, the schemes):
    under another theme they would build and be broken, so the build stops instead."""
    name = config.theme.name
    if name != "material":
        raise PluginError(f"refarch: theme: name is {json.dumps(name)}; refarch's pages need MkDocs Material "
                          "(pip install mkdocs-material, then theme: name: material)")


def add_assets(config: MkDocsConfig) -> None:
    """Load the package's styles and scripts on every page, before the project's own (which may then
    override them). A project that already lists one keeps its entry."""
    listed_css = set(config.extra_css)
    config.extra_css[:0] = [uri for uri in (f"{SITE_FOLDER}/{name}" for name in STYLES) if uri not in listed_css]
    listed_js = {str(script) for script in config.extra_javascript}
    new_js = [uri for uri in (f"{SITE_FOLDER}/{name}" for name in SCRIPTS) if uri not in listed_js]
    config.extra_javascript[:0] = [ExtraScriptValue(uri) for uri in new_js]


def asset_files(config: MkDocsConfig, files: Files) -> None:
    """Add the styles and scripts to the site's files, copied from the package."""
    for name in STYLES + SCRIPTS:
        uri = f"{SITE_FOLDER}/{name}"
        if files.get_file_from_path(uri) is None:
            files.append(File.generated(config, uri, abs_src_path=str(ASSETS / name)))
