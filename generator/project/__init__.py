"""`refarch init`: a documentation repository for an organisation's own designs.

It holds `mkdocs.yml` with the refarch plugin, one commented example architecture with the schema, a
Makefile whose `make serve` and `make test` install refarch at one commit and everything else from a hashed
lock, the CI workflows (a check that can write nothing, a comment posted from its artifact, publishing to
GitHub Pages), the pre-commit hook and a README. The files are data beside this module; `files` only
fills in where refarch comes from.
"""

from __future__ import annotations

import json
import re
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

from generator.model import scaffold
from generator.model.architecture import json_schema

HERE = Path(__file__).resolve().parent
LOCK = HERE / "requirements.lock"  # refarch's own dependencies, made by refarch's `make lock`
EXAMPLE = "example"

# Where each file goes in the new repository, and the file beside this module it is made from.
FILES = {
    "mkdocs.yml": "mkdocs.yml",
    "docs/index.md": "index.md",
    "Makefile": "Makefile",
    "README.md": "README.md",
    ".gitignore": "gitignore",
    ".pre-commit-config.yaml": "pre-commit-config.yaml",
    ".github/workflows/check.yml": "check.yml",
    ".github/workflows/comment.yml": "comment.yml",
    ".github/workflows/publish.yml": "publish.yml",
}
# What pip accepts after `git+` and a Makefile line holds as it is: no spaces, quotes, `$` or `#`.
_URL = re.compile(r"(https|http|ssh|file)://[A-Za-z0-9._~:/@%+-]+")
_COMMIT = re.compile(r"[0-9a-f]{40}")


@dataclass(frozen=True)
class Source:
    """Where the new repository installs refarch from: a git repository and one commit of it."""

    url: str
    commit: str

    def __post_init__(self) -> None:
        if not _URL.fullmatch(self.url):
            raise ValueError(f"`{self.url}` is not a git repository's address pip can install from "
                             "(https://, ssh://, http:// or file://, without spaces or quotes)")
        if not _COMMIT.fullmatch(self.commit):
            raise ValueError(f"`{self.commit}` is not a full commit id (40 lower-case hexadecimal digits)")

    @property
    def requirement(self) -> str:
        return f"git+{self.url}@{self.commit}"


def files(source: Source, platform: str = "kvm", hosts: int = 3) -> dict[str, bytes]:
    """Every file of the new repository, by its path in it."""
    made = {target: (HERE / "files" / name).read_text(encoding="utf-8") for target, name in FILES.items()}
    made["Makefile"] = made["Makefile"].replace("@REFARCH@", source.requirement)
    made["README.md"] = made["README.md"].replace("@REFARCH_URL@", source.url)
    made["requirements.lock"] = LOCK.read_text(encoding="utf-8")
    made[f"architectures/{EXAMPLE}.yaml"] = scaffold.architecture(EXAMPLE, platform, hosts)
    made["architectures/architecture.schema.json"] = json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"
    return {path: text.encode("utf-8") for path, text in sorted(made.items())}


def fetchable(origin: str) -> str:
    """A git remote's address as CI fetches it: a local path as a file address, SSH (which needs a key CI does
    not have) as https on the same host, and https without the user and token it may carry."""
    if origin.startswith("/"):
        return Path(origin).as_uri()
    if "://" not in origin and ":" in origin:  # scp-like: git@host:owner/name.git
        host, path = origin.split(":", 1)
        return f"https://{host.rsplit('@', 1)[-1]}/{path.lstrip('/')}"
    parts = urllib.parse.urlsplit(origin)
    if parts.scheme in ("ssh", "git+ssh", "https", "http") and parts.hostname:
        scheme = "https" if parts.scheme != "http" else "http"
        port = f":{parts.port}" if parts.port and parts.scheme.startswith("http") else ""
        return parts._replace(scheme=scheme, netloc=parts.hostname + port).geturl()
    return origin
