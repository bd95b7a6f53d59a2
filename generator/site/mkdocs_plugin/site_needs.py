"""What refarch's pages need (`generator.site.needs`), applied to the configuration of the MkDocs project
they are built in: a project that lacks an extension gets it, and the package's scripts and styles are
served and loaded; a project that sets an option the pages cannot work with, or uses another theme than
Material, stops with an error that names it, because a strict build must never pass with broken pages.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from mkdocs.config.config_options import ExtraScriptValue
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files

from generator.site import needs

if TYPE_CHECKING:
    from mkdocs.config.defaults import MkDocsConfig


def check_theme(config: MkDocsConfig) -> None:
    """Under another theme the pages would build and be broken, so the build stops instead."""
    if config.theme.name != needs.THEME:
        raise PluginError(f"refarch: theme: name is {json.dumps(config.theme.name)}; refarch's pages need MkDocs "
                          "Material (pip install mkdocs-material, then theme: name: material)")


def add_extensions(config: MkDocsConfig) -> None:
    """Add the extensions the pages need, with the options they depend on where the project leaves them
    unset. Raises PluginError naming each option the project sets otherwise."""
    configured = {name: config.mdx_configs.get(name, {}) for name in config.markdown_extensions}
    settings, conflicts = needs.extension_settings(configured)
    if conflicts:
        raise PluginError("refarch: the project's configuration conflicts with what its pages need:\n"
                          + "\n".join(conflicts))
    for name, options in settings.items():
        if name not in configured:
            config.markdown_extensions.append(name)
        if options:
            config.mdx_configs.setdefault(name, {}).update(options)


def add_assets(config: MkDocsConfig) -> None:
    """Load the package's styles and scripts on every page, before the project's own (which may then
    override them). A project that already lists one keeps its entry."""
    listed_css = set(config.extra_css)
    config.extra_css[:0] = [uri for uri in _uris(needs.STYLES) if uri not in listed_css]
    listed_js = {str(script) for script in config.extra_javascript}
    config.extra_javascript[:0] = [ExtraScriptValue(uri) for uri in _uris(needs.SCRIPTS) if uri not in listed_js]


def asset_files(config: MkDocsConfig, files: Files) -> None:
    """Add the styles and scripts to the site's files, copied from the package."""
    for name, uri in zip(needs.STYLES + needs.SCRIPTS, _uris(needs.STYLES + needs.SCRIPTS), strict=True):
        if files.get_file_from_path(uri) is None:
            files.append(File.generated(config, uri, abs_src_path=str(needs.ASSETS / name)))


def _uris(names: tuple[str, ...]) -> list[str]:
    return [f"{needs.SITE_FOLDER}/{name}" for name in names]
