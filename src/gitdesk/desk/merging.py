"""The merge driver's desk side: read git's three versions, merge by kind of file, write the result.

Git runs `gitdesk merge-driver %O %A %B %P` for the paths `.gitattributes`
sends to it (tickets and KB articles) and expects the result in %A. Tickets
merge field by field with their histories replayed (`core.merge`); articles
keep every section both sides added (`core.kb.merge_article`). The result is
checked against the desk's own rules before git sees it.
"""

from __future__ import annotations

from pathlib import Path

from gitdesk.core.config import load as load_config
from gitdesk.core.kb import KB_DIR, merge_article
from gitdesk.core.merge import Rules, merge_ticket
from gitdesk.errors import GitdeskError
from gitdesk.git.repo import GitRepo
from gitdesk.store.writer import atomic_write


def merge_files(root: Path, ancestor: str, ours: str, theirs: str, path: str = "") -> list[str]:
    """Merge the three files into `ours`; what still conflicts, one line each (empty: clean)."""
    texts = [_read(Path(name)) for name in (ancestor, ours, theirs)]
    merge_text = GitRepo(root).merge_text
    if _is_article(path, texts):
        merged, conflicts = merge_article(texts[0], texts[1], texts[2], merge_text)
    else:
        merged, conflicts = merge_ticket(texts[0], texts[1], texts[2], merge_text, _rules(root))
    atomic_write(Path(ours), merged)
    return conflicts


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:  # git passes an empty ancestor for files both sides added
        return ""


def _is_article(path: str, texts: list[str]) -> bool:
    if path:
        return path.replace("\\", "/").startswith(f"{KB_DIR}/")
    # No %P (an old registration): a ticket always carries a history, an article never does.
    return not any("\nhistory:" in t for t in texts)


def _rules(root: Path) -> Rules:
    try:
        config = load_config(root)
    except GitdeskError:  # a broken gitdesk.yml is validate's to report; the ticket rules still apply
        return Rules()
    return Rules(config.queue_names(), config.tiers)


ATTRIBUTES = ("tickets/*.md merge=gitdesk", "kb/*.md merge=gitdesk")
DRIVER = "gitdesk merge-driver %O %A %B %P"


def install_driver(root: Path) -> list[str]:
    """Register the driver in this clone's git config; returns the attribute lines this clone had to add.

    A desk laid out before KB articles had a merge rule lacks `kb/*.md` in its
    `.gitattributes`; the missing lines go to `.git/info/attributes`, which
    is this clone's own, so nothing needs committing.
    """
    repo = GitRepo(root)
    repo.run("config", "merge.gitdesk.name", "gitdesk merge (tickets field by field, KB articles by section)")
    repo.run("config", "merge.gitdesk.driver", DRIVER)
    committed = _read(root / ".gitattributes").splitlines()
    info = root / repo.run("rev-parse", "--git-path", "info/attributes")
    local = _read(info)
    missing = [line for line in ATTRIBUTES if line not in committed and line not in local.splitlines()]
    if missing:
        atomic_write(info, local + ("" if not local or local.endswith("\n") else "\n") + "\n".join(missing) + "\n")
    return missing
