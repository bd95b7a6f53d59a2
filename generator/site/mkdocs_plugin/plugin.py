"""Generate the architecture, catalog and rule pages of the site, and keep them live in `mkdocs serve`.

Thin glue: every page and image comes from `generator.site.builder`; this class only reads the
configuration, gives the project the Markdown extensions and the package's scripts and styles the pages
need (`generator.site.needs`, applied by `site_needs`), hands MkDocs the results as generated files,
puts the comparison table on the hand-written home page, reports problems through MkDocs' logger, and
watches the inputs. What each architecture gives is cached across builds under `cache_dir` (`generator.site.cache`), so
`mkdocs serve` remakes only the file that changed, and a cold build makes them in parallel.
In a dirty build (`mkdocs serve --dirty`, which `make serve` runs) MkDocs renders only the pages that
changed; `dirty.DirtyBuilds` tells it which did.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import TYPE_CHECKING

import jinja2
import jinja2.bccache
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority, get_plugin_logger
from mkdocs.structure.files import Files

from generator import catalog
from generator.model.problem import Severity
from generator.render.diagram import DiagramError, Renderer
from generator.rules.validate import UsageError
from generator.site import builder as site
from generator.site import cache as build_cache
from generator.site import output as site_output
from generator.site.mkdocs_plugin import site_needs
from generator.site.mkdocs_plugin.config import RefarchConfig
from generator.site.mkdocs_plugin.dirty import DirtyBuilds

if TYPE_CHECKING:
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.livereload import LiveReloadServer
    from mkdocs.structure.pages import Page

log = get_plugin_logger("refarch")
WATCH_SECONDS = 0.1  # how often `mkdocs serve` looks for edits (MkDocs: every 0.5 s)


class RefarchPlugin(BasePlugin[RefarchConfig]):
    def __init__(self) -> None:
        self.is_serve = False
        self.project = Path()
        self.home_table = ""
        self.fragments: dict[str, dict[str, str]] = {}
        self.builds = DirtyBuilds(dirty=False)

    def on_startup(self, *, command: str, dirty: bool) -> None:
        """Defined so that the plugin persists across `mkdocs serve` rebuilds; notes whether we serve, and
        whether builds are dirty."""
        self.is_serve = command == "serve"
        self.builds = DirtyBuilds(dirty)

    def on_config(self, config: MkDocsConfig) -> None:
        """Give the project the Markdown extensions, styles and scripts the pages need."""
        self.project = Path(config.config_file_path).resolve().parent
        catalog.load.cache_clear()  # the catalog is watched too: read it again on every build
        if self.config.enabled:
            site_needs.check_theme(config)
            site_needs.add_extensions(config)
            site_needs.add_assets(config)

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        """Read every architecture file, have the core check and render the ones not in the cache, then add
        the generated pages and images as virtual files."""
        if not self.config.enabled:
            return files
        folder = self.project / self.config.architectures_dir
        try:
            sources = site.read_sources(folder, self.project)
            cache_dir = self.project / self.config.cache_dir
            store = build_cache.Store(cache_dir / "units")
            built = site.build(sources, catalog.load(), Renderer(cache_dir), store,
                               workers=self.config.workers or os.cpu_count() or 1)
        except (UsageError, DiagramError) as error:
            raise PluginError(f"refarch: {error}") from None
        log.info(f"{len(built.analysed)} architecture file(s) analysed, {store.hits} from the cache"
                 + (f", {store.rejected} cache entries rejected and rebuilt" if store.rejected else ""))
        if store.unwritable:
            log.info(f"the build cache could not be written, so the next build makes these again: {store.unwritable}")
        errors = [p for p in built.problems if p.severity is Severity.ERROR and not p.expected]
        for problem in built.problems:
            if problem.severity is Severity.WARNING:
                log.warning(str(problem))
        if errors and not self.is_serve:
            raise PluginError("refarch: architecture files have errors:\n" + "\n".join(map(str, errors)))
        for problem in errors:  # while serving, the page of the file shows them; the log says so too
            log.warning(str(problem))
        site_needs.asset_files(config, files)
        self.builds.add_files(files, built, config)
        self.home_table = built.home_table
        self.fragments = built.fragments
        return files

    def on_env(self, env: jinja2.Environment, *, config: MkDocsConfig, files: Files) -> jinja2.Environment:
        """Keep the theme's compiled templates in the cache: MkDocs compiles them again on every build,
        which is much of what a rebuild in `mkdocs serve` costs (Jinja checks each one's source)."""
        if env.bytecode_cache is None:
            folder = self.project / self.config.cache_dir / "templates"
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError:  # a cache that cannot be written: the templates compile as MkDocs has them do
                return env
            env.bytecode_cache = _KeptTemplates(str(folder))
        return env

    def on_page_markdown(self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        """Put the comparison table of all architectures where the home page asks for it."""
        if page.file.src_uri == "index.md":
            return markdown.replace(site.HOME_MARKER, self.home_table)
        return markdown

    def on_page_content(self, html: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        """Put the searchable HTML fragments of a generated page where its markers are, once Markdown has
        run."""
        fragments = self.fragments.get(page.file.src_uri)
        return site.insert_fragments(html, fragments, site.SEARCHED_FRAGMENTS) if fragments else html

    @event_priority(-100)  # after the search plugin has indexed the page
    def on_page_context(self, context: dict, *, page: Page, config: MkDocsConfig, nav) -> dict:
        self.builds.page_rendered(page, _search(config))
        return context

    def on_post_page(self, output: str, *, page: Page, config: MkDocsConfig) -> str:
        """Put the other fragments in, once the search plugin has read the page and the theme made it;
        squeeze the blank runs out."""
        fragments = self.fragments.get(page.file.src_uri)
        if fragments:
            output = site.insert_fragments(output, fragments)
        return site_output.squeeze(output) if self.config.trim_output else output

    @event_priority(100)  # before the search plugin writes its index
    def on_post_build(self, *, config: MkDocsConfig) -> None:
        """Remove the theme's files the site never loads; finish a dirty build."""
        search = _search(config)
        if self.config.trim_output:
            languages = getattr(getattr(search, "config", None), "lang", None) or ["en"]
            site_output.prune_theme_files(Path(config.site_dir), languages)
        self.builds.finish(search)
        if self.builds.dirty:
            log.info(f"rendered {self.builds.rendered} of {len(self.builds.pages)} pages (the others are unchanged)")

    def on_serve(self, server: LiveReloadServer, *, config: MkDocsConfig, builder) -> LiveReloadServer:
        """Rebuild when an architecture file or the catalog changes, noticed within `WATCH_SECONDS`."""
        server.watch(str(self.project / self.config.architectures_dir))
        server.watch(str(catalog.HERE))
        # MkDocs' watcher (watchdog's PollingObserver) looks at the files every half second: half of the
        # second an edit has to reach the page. A look every 0.1 s stats a few hundred files. The emitters
        # take their interval when made; where a watchdog release names it otherwise, MkDocs' stays.
        for emitter in server.observer.emitters:
            if isinstance(getattr(emitter, "_timeout", None), float):
                emitter._timeout = WATCH_SECONDS
        return server


class _KeptTemplates(jinja2.FileSystemBytecodeCache):
    """Jinja's cache of compiled templates, for which a write that fails (a full disk, a read-only folder)
    only means the template compiles again next time."""

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        with contextlib.suppress(OSError):
            super().load_bytecode(bucket)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        with contextlib.suppress(OSError):
            super().dump_bytecode(bucket)


def _search(config: MkDocsConfig):
    return config.plugins.get("material/search") or config.plugins.get("search")
