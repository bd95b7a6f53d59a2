"""refarch as a user installs it: a wheel built from the repository, in a virtualenv of its own, building the
repository `refarch init` writes and a bare MkDocs Material project with only `plugins: [search, refarch]`.

The wheel must hold every file the package reads (templates, catalog, schemas, the scripts and styles, the
new repository's files). Its virtualenv reuses the locked packages already installed (a path file pointing
at them), so the test stays within the suite's budget; the wheel's own `generator` comes first on the
path, and a test holds that it is the one imported. Both sites build with --strict, the explorer answers in
Chromium, and axe-core finds nothing serious on the architecture page.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest
from mkdocs.config import load_config
from mkdocs.exceptions import PluginError
from sitebuild import CHROMIUM, ROOT, serve

from generator import cli, project
from generator.rules.validate import check_file
from generator.site import needs
from generator.site.mkdocs_plugin import site_needs

PACKAGED = ("pyproject.toml", "README.md", "generator")
A_COMMIT = "0123456789abcdef0123456789abcdef01234567"
BARE_CONFIG = "site_name: Bare\ntheme:\n  name: material\nplugins:\n  - search\n  - refarch\n"


def package_files() -> list[str]:
    """Every file of the package but its Python sources (which setuptools always takes) and bytecode."""
    return sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "generator").rglob("*")
                  if p.is_file() and p.suffix not in (".py", ".pyc") and "__pycache__" not in p.parts)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """A wheel built from a copy of the repository's package (the build writes its own folders)."""
    source = tmp_path_factory.mktemp("source")
    for name in PACKAGED:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(ROOT / name, source / name)
    out = tmp_path_factory.mktemp("dist")
    build = f"from setuptools import build_meta; build_meta.build_wheel({str(out)!r})"
    done = subprocess.run([sys.executable, "-c", build], cwd=source, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    (built,) = out.glob("refarch-*.whl")
    return built


@pytest.fixture(scope="module")
def python(wheel, tmp_path_factory) -> Path:
    """The Python of a fresh virtualenv with the wheel installed, and the locked packages on its path."""
    env = tmp_path_factory.mktemp("venv")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(env)], check=True)
    fresh = subprocess.run([env / "bin" / "python", "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                           capture_output=True, text=True, check=True).stdout.strip()
    done = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                           "--no-deps", "--no-index", "--target", fresh, str(wheel)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    # After the wheel's own folder on the path: a path file adds the folder, never its path files (so the
    # repository's editable install stays out).
    (Path(fresh) / "locked-packages.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return env / "bin" / "python"


def start(python: Path, *words: str, cwd: Path) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")} | {"NO_MKDOCS_2_WARNING": "1"}
    return subprocess.Popen([str(python), *words], cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=env)


def run(python: Path, *words: str, cwd: Path) -> subprocess.CompletedProcess:
    process = start(python, *words, cwd=cwd)
    out, errors = process.communicate(timeout=300)
    return subprocess.CompletedProcess(process.args, process.returncode, out, errors)


@pytest.fixture(scope="module")
def sites(python, tmp_path_factory):
    """The site of a repository `refarch init` wrote and of a bare project, both built strictly by the
    wheel's refarch, served side by side."""
    root = tmp_path_factory.mktemp("www")
    made = run(python, "-m", "generator", "init", "ours", "--source", "https://example.org/refarch.git",
               "--commit", A_COMMIT, cwd=root)
    assert made.returncode == 0, made.stderr
    bare = root / "bare"
    (bare / "docs").mkdir(parents=True)
    (bare / "docs" / "index.md").write_text("# Bare\n")
    (bare / "mkdocs.yml").write_text(BARE_CONFIG)
    assert run(python, "-m", "generator", "new", "small", "--platform", "vsphere", "--hosts", "4",
               cwd=bare).returncode == 0
    # The new repository is built by its own `make build` (validate, then a strict build); its virtualenv's
    # commands run the wheel's refarch, as if its set-up had installed it (that needs the network).
    venv = root / "ours-venv"
    (venv / "bin").mkdir(parents=True)
    for command, module in (("refarch", "generator"), ("mkdocs", "mkdocs")):
        (venv / "bin" / command).write_text(f'#!/bin/sh\nexec "{python}" -m {module} "$@"\n')
        (venv / "bin" / command).chmod(0o755)
    (venv / ".installed").touch()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "MAKE"))}
    builds = [subprocess.Popen(["make", "build", f"VENV={venv}"], cwd=root / "ours", stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, env=env),
              start(python, "-m", "mkdocs", "build", "--strict", cwd=bare)]
    outputs = [build.communicate(timeout=300) for build in builds]  # side by side: one core each
    assert [build.returncode for build in builds] == [0, 0], outputs
    assert "refarch validate" in outputs[0][0] and "mkdocs build --strict" in outputs[0][0]
    with serve(root) as base:
        yield base, root


def test_the_wheel_holds_every_file_the_package_reads(wheel):
    held = set(zipfile.ZipFile(wheel).namelist())
    missing = [name for name in package_files() if name not in held]
    assert not missing, f"not in the wheel (pyproject.toml's package-data): {missing}"
    assert "generator/site/assets/whatif.js" in held and "generator/project/files/comment.yml" in held


def test_the_fresh_virtualenv_imports_the_wheel_not_the_repository(python, tmp_path):
    where = run(python, "-c", "import generator; print(generator.__file__)", cwd=tmp_path)
    assert where.returncode == 0, where.stderr
    assert not where.stdout.startswith(str(ROOT)), where.stdout
    # Without the repository's git record, init cannot tell where refarch comes from: it says what to pass.
    bare = run(python, "-m", "generator", "init", "x", cwd=tmp_path)
    assert bare.returncode == 2
    assert "pass --source URL and --commit SHA" in bare.stderr and not (tmp_path / "x").exists()


def test_init_writes_a_repository_that_builds_and_installs_from_one_commit(sites):
    """Its own `make build` made its site (the `sites` fixture); its set-up installs refarch at the commit."""
    _, root = sites
    ours = root / "ours"
    written = sorted(p.relative_to(ours).as_posix() for p in ours.rglob("*")
                     if p.is_file() and not {"site", ".cache"} & set(p.relative_to(ours).parts))
    assert written == sorted(project.files(project.Source("https://example.org/refarch.git", A_COMMIT)))
    setup = subprocess.run(["make", "-n", "-B", "setup", "VENV=fresh"], cwd=ours, capture_output=True, text=True)
    assert "install --require-hashes --no-deps -r requirements.lock" in setup.stdout, setup.stdout + setup.stderr
    assert f'"refarch @ git+https://example.org/refarch.git@{A_COMMIT}"' in setup.stdout
    example = check_file(ours / "architectures" / "example.yaml")
    assert example.architecture is not None and not example.problems
    assert (ours / "site" / "architectures" / "example" / "index.html").exists()
    # The built site loads the package's scripts and styles, each once.
    page = (ours / "site" / "architectures" / "example" / "index.html").read_text()
    for asset in ("whatif.js", "diagram-zoom.js", "accessibility.js", "refarch.css", "diagrams.css"):
        assert page.count(f"assets/refarch/{asset}") == 1, asset
        assert (ours / "site" / "assets" / "refarch" / asset).is_file()


def test_the_bare_project_gets_the_extensions_its_pages_need(sites):
    _, root = sites
    page = (root / "bare" / "site" / "architectures" / "small" / "index.html").read_text()
    assert "{ #" not in page and "{: " not in page  # attr_list ran: no heading shows its id
    assert 'id="what-if"' in page
    assert 'markdown="1"' not in page and "<figure" in page  # md_in_html ran
    guide = (root / "bare" / "site" / "build-guides" / "small" / "index.html").read_text()
    assert 'class="tabbed-set tabbed-alternate"' in guide  # the exports' tabs, in Material's style


@pytest.mark.skipif(not CHROMIUM.exists(), reason="no Chromium at /usr/bin/chromium: install the chromium "
                    "package (make test does)")
# The repository init writes has a light and a dark scheme, as this one; the bare project Material's one.
@pytest.mark.parametrize(("page_path", "scheme", "palette"), [
    ("ours/site/architectures/example/", "light", "default"),
    ("ours/site/architectures/example/", "dark", "slate"),
    ("bare/site/architectures/small/", "light", None),
])
def test_the_explorer_answers_and_axe_finds_nothing_serious(sites, browser, page_path, scheme, palette):
    from axe_playwright_python.sync_playwright import Axe

    base, _ = sites
    page = browser.new_page(viewport={"width": 1280, "height": 800}, color_scheme=scheme)
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.goto(base + page_path, wait_until="load")
    assert page.evaluate("document.body.dataset.mdColorScheme") == palette
    page.wait_for_selector("[data-whatif-operation]", state="attached")
    hosts = page.locator("[data-whatif-kind='host']")
    assert page.locator("[data-whatif-operation='boot-instance']").get_attribute("data-state") == "ok"
    hosts.nth(0).check()
    hosts.nth(1).check()
    assert page.locator("[data-whatif-operation='boot-instance']").get_attribute("data-state") == "down"
    page.locator("[data-whatif-reset]").click()  # and the button keeps its focus: axe checks that state too
    violations = [v for v in Axe().run(page).response["violations"] if v["impact"] in ("serious", "critical")]
    assert not violations, [(v["id"], v["help"], [n["target"] for n in v["nodes"]][:4]) for v in violations]
    assert problems == []
    page.close()


def test_init_refuses_to_overwrite_and_checks_what_it_is_given(tmp_path, capsys):
    source = ["--source", "https://example.org/refarch.git", "--commit", A_COMMIT]
    (tmp_path / "ours").mkdir()
    (tmp_path / "ours" / "README.md").write_text("ours\n")
    assert cli.main(["init", str(tmp_path / "ours"), *source]) == cli.EXIT_USAGE
    assert "README.md already; nothing was written" in capsys.readouterr().err
    assert sorted(p.name for p in (tmp_path / "ours").iterdir()) == ["README.md"]
    for bad, said in ((["--commit", "HEAD"], "is not a full commit id"),
                      (["--source", "https://x/y z"], "is not a git repository's address"),
                      (["--source", "https://x/$(id)"], "is not a git repository's address")):
        assert cli.main(["init", str(tmp_path / "other"), *source, *bad]) == cli.EXIT_USAGE
        assert said in capsys.readouterr().err
    assert not (tmp_path / "other").exists()


def test_init_pins_the_checkout_it_runs_from():
    """Installed from this checkout (`pip install -e .`), init pins its HEAD, from its `origin` (as CI can
    fetch it), else from the folder itself."""
    head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True, text=True, check=True)
    url, commit, _ = cli._installed_source()
    assert commit == head.stdout.strip()
    project.Source(url, commit)  # an address pip can install from
    origin = subprocess.run(["git", "-C", str(ROOT), "config", "--get", "remote.origin.url"],
                            capture_output=True, text=True).stdout.strip()
    assert url == (project.fetchable(origin) if origin else ROOT.as_uri())


def test_the_new_repository_locks_what_refarch_locks():
    """The new repository's lock is refarch's own, without the test tools: same versions, same hashes."""

    def entries(text: str) -> dict[str, str]:
        found, current = {}, None
        for line in text.splitlines():
            if line and not line.startswith((" ", "#")):
                current = line.rstrip(" \\")
                found[current] = ""
            elif current and line.strip().startswith("--hash"):
                found[current] += line.strip().rstrip(" \\")
        return found

    ours, refarchs = entries(project.LOCK.read_text()), entries((ROOT / "requirements.lock").read_text())
    assert ours and set(ours) <= set(refarchs)
    assert all(ours[pin] == refarchs[pin] for pin in ours)
    assert {"mkdocs", "mkdocs-material", "setuptools", "pre-commit"} <= {pin.split("==")[0] for pin in ours}
    assert not {"pytest", "playwright", "zizmor"} & {pin.split("==")[0] for pin in ours}


def test_a_project_lacking_extensions_gets_them_and_a_conflicting_one_stops_the_build(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "architectures").mkdir()
    config = tmp_path / "mkdocs.yml"
    config.write_text(BARE_CONFIG + "markdown_extensions:\n  - markdown.extensions.attr_list\n  - pymdownx.tabbed\n")
    loaded = load_config(config_file=str(config))
    site_needs.add_extensions(loaded)
    assert loaded.markdown_extensions.count("markdown.extensions.attr_list") == 1
    assert "attr_list" not in loaded.markdown_extensions  # named in full, it is the same extension
    names = {name.removeprefix("markdown.extensions.") for name in loaded.markdown_extensions}
    assert set(needs.EXTENSIONS) <= names
    assert loaded.mdx_configs["pymdownx.tabbed"] == {"alternate_style": True}  # unset: the pages' value
    site_needs.add_assets(loaded)
    site_needs.add_assets(loaded)  # listed once, however often
    assert [str(s) for s in loaded.extra_javascript].count("assets/refarch/whatif.js") == 1

    site_needs.check_theme(loaded)
    config.write_text(BARE_CONFIG.replace("name: material", "name: mkdocs"))
    with pytest.raises(PluginError, match='theme: name is "mkdocs"; refarch\'s pages need MkDocs Material'):
        site_needs.check_theme(load_config(config_file=str(config)))

    config.write_text(BARE_CONFIG + "markdown_extensions:\n  - pymdownx.tabbed:\n      alternate_style: false\n")
    built = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict"], cwd=tmp_path, capture_output=True,
                           text=True, env=os.environ | {"NO_MKDOCS_2_WARNING": "1"})
    assert built.returncode == 1 and "Traceback" not in built.stderr
    assert "markdown_extensions: pymdownx.tabbed: alternate_style is false; refarch's pages need true" in built.stderr


@pytest.mark.parametrize(("origin", "pinned"), [
    ("https://someone:a-token@example.org/refarch.git", "https://example.org/refarch.git"),
    ("git@example.org:team/refarch.git", "https://example.org/team/refarch.git"),
    ("ssh://git@example.org:2222/team/refarch.git", "https://example.org/team/refarch.git"),
    ("/srv/git/refarch", "file:///srv/git/refarch"),
])
def test_init_pins_the_origin_as_ci_fetches_it_and_warns_of_what_it_lacks(tmp_path, monkeypatch, origin, pinned):
    """No token and no SSH (CI has no key) in the new repository's files; a checkout with uncommitted changes,
    or a commit origin does not hold, is said."""
    def git(*words):
        subprocess.run(["git", "-C", str(tmp_path), *words], check=True, capture_output=True)

    git("init", "-q")
    (tmp_path / "tracked").write_text("one\n")
    git("add", "tracked")
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "x")
    git("remote", "add", "origin", origin)
    (tmp_path / "tracked").write_text("two\n")

    class Installed:
        def __init__(self, record):
            self.record = record

        def read_text(self, name):
            return self.record

    # A build's leftover egg-info first on the path, without pip's record; then the installed one.
    record = json.dumps({"url": tmp_path.as_uri(), "dir_info": {"editable": True}})
    monkeypatch.setattr(cli.importlib.metadata, "distributions", lambda name: [Installed(None), Installed(record)])
    url, commit, cautions = cli._installed_source()
    assert url == pinned and len(commit) == 40
    project.Source(url, commit)
    assert len(cautions) == 2
    assert "uncommitted changes" in cautions[0] and f"no branch of origin holds commit {commit}" in cautions[1]
