"""Building and serving the site: MkDocs called through its API, as `mkdocs build` does.

With plugin.py, the only other module that touches MkDocs; the static server is
plain http.server on a loopback address, so a demo needs nothing else.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import logging
import os
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gitdesk.errors import GitdeskError

MKDOCS_FILE = "mkdocs.yml"


class SiteBuildFailed(GitdeskError):
    """MkDocs refused to build the site (a bad mkdocs.yml, or a warning in strict mode)."""


@dataclass
class BuildResult:
    out_dir: Path
    tickets: int
    unpublished_unlisted: int
    skipped: list[str]  # one line per ticket file left out (file:line: problem); every other page is built


def config_file(root: Path) -> Path:
    path = Path(root) / MKDOCS_FILE
    if not path.exists():
        raise SiteBuildFailed(f"{MKDOCS_FILE}: not found in {root} (gitdesk init writes one)")
    return path


def site_url(root: Path) -> str:
    """site_url from mkdocs.yml, without loading MkDocs ('' when unset)."""
    import yaml

    class _Lenient(yaml.SafeLoader):
        """mkdocs.yml may hold !ENV or !!python tags; they do not matter for site_url."""

    _Lenient.add_multi_constructor("", lambda loader, suffix, node: None)
    try:
        data = yaml.load(config_file(root).read_text(encoding="utf-8"), Loader=_Lenient) or {}
    except yaml.YAMLError as exc:
        raise SiteBuildFailed(f"{MKDOCS_FILE}: invalid YAML: {exc}") from None
    value = data.get("site_url") if isinstance(data, dict) else None
    return str(value or "")


def _not_ours(record: logging.LogRecord) -> bool:
    return not str(record.msg).startswith("gitdesk:")  # our errors are re-raised, not logged twice


@contextlib.contextmanager
def _quiet_mkdocs() -> Iterator[None]:
    """MkDocs' warnings go to stderr as 'mkdocs: ...'; its INFO chatter and our own errors do not."""
    logger = logging.getLogger("mkdocs")
    handler = logging.StreamHandler(sys.stderr)
    handler.setLevel(logging.WARNING)
    handler.addFilter(_not_ours)
    handler.setFormatter(logging.Formatter("mkdocs: %(message)s"))
    old = logger.level, logger.propagate
    logger.setLevel(logging.WARNING)
    logger.addHandler(handler)
    logger.propagate = False
    try:
        yield
    finally:
        logger.setLevel(old[0])
        logger.propagate = old[1]
        logger.removeHandler(handler)


def build(
    root: Path,
    out_dir: Path | None = None,
    strict: bool = True,
    progress: Callable[[int], None] | None = None,
) -> BuildResult:
    """`mkdocs build` of the desk at `root` into `out_dir` (default: mkdocs.yml's site_dir)."""
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort, ConfigurationError

    overrides: dict[str, Any] = {"strict": strict}
    if out_dir is not None:
        overrides["site_dir"] = str(Path(out_dir).resolve())
    plugin = None
    with _quiet_mkdocs():
        try:
            cfg = load_config(str(config_file(root)), **overrides)
            plugin = cfg.plugins.get("gitdesk")
            if plugin is None:
                raise SiteBuildFailed(f"{MKDOCS_FILE}: the 'gitdesk' plugin is not listed under plugins")
            plugin.progress = progress
            mkdocs_build(cfg)
        except (Abort, ConfigurationError) as exc:
            if plugin is not None and plugin.error is not None:
                raise plugin.error from None
            raise SiteBuildFailed(f"{MKDOCS_FILE}: {exc}".strip()) from None
    from gitdesk.store.files import TicketStore

    return BuildResult(
        Path(cfg.site_dir), len(TicketStore(Path(root)).ids()), plugin.unpublished_unlisted, plugin.skipped
    )


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Files only: a directory without index.html is a 404 (a listing of /t/ would hand out every
    secret link), and every 404 is the site's own 404.html."""

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        pass

    def list_directory(self, path: str | os.PathLike[str]) -> Any:
        self.send_error(404)
        return None

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        page = Path(self.directory) / "404.html"
        if code != 404 or not page.is_file():
            super().send_error(code, message, explain)
            return
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


def server(directory: Path, host: str = "127.0.0.1", port: int = 8000) -> http.server.ThreadingHTTPServer:
    """A static file server for a built site; the caller runs serve_forever()."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    try:
        return http.server.ThreadingHTTPServer((host, port), handler)
    except OSError as exc:
        raise GitdeskError(f"cannot serve on {host}:{port}: {exc.strerror or exc}") from None
