"""Files attached to a form that came back (an error to put right, "Add another worker"
without JavaScript): held on the server for that one form until it is sent, so that they
need not be attached again.

A form's draft is a folder named for a keyed hash of its form token (which only that
browser has) under ``files/drafts``; each file is checked and cleaned by `uploads.check`
before it is kept, with its name and type beside it. Filing takes them from there; a draft
nobody sends is removed by `uploads.sweep` once a day old.
"""

from __future__ import annotations

import json
import re
import secrets
import shutil
from dataclasses import dataclass
from pathlib import Path

from anyio import to_thread

from portal import uploads
from portal.security import keyed_hash
from portal.settings import get_settings

_FILE_ID = re.compile(r"^[0-9a-f]{32}$")


@dataclass(frozen=True)
class DraftFile:
    """A file held for a form: listed on it, with a way to remove it."""

    id: str
    filename: str
    content_type: str
    size: int


def _folder(form_token: str) -> Path:
    name = keyed_hash(get_settings().secret_key, f"draft:{form_token}")[:40]
    return uploads.drafts_dir() / name


def held(form_token: str) -> list[DraftFile]:
    """The files held for this form, in the order they were attached."""
    folder = _folder(form_token)
    if not form_token or not folder.is_dir():
        return []
    found = []
    for meta in sorted(folder.glob("*.json"), key=lambda path: path.stat().st_mtime_ns):
        about = json.loads(meta.read_text())
        found.append(DraftFile(meta.stem, about["filename"], about["content_type"], about["size"]))
    return found


async def keep(form_token: str, checked: list[uploads.CheckedFile]) -> None:
    """Hold checked files for the form (their temporary contents are closed)."""
    if checked:
        await to_thread.run_sync(_write, _folder(form_token), checked)


def _write(folder: Path, checked: list[uploads.CheckedFile]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for file in checked:
        file_id = secrets.token_hex(16)
        with file.content, (folder / f"{file_id}.bin").open("xb") as out:
            file.content.seek(0)
            shutil.copyfileobj(file.content, out)
            size = out.tell()
        about = {"filename": file.filename, "content_type": file.content_type, "size": size}
        (folder / f"{file_id}.json").write_text(json.dumps(about))


def remove(form_token: str, file_id: str) -> None:
    """Let go of one held file (the person removed it from the form)."""
    if _FILE_ID.match(file_id):
        for suffix in (".json", ".bin"):
            (_folder(form_token) / f"{file_id}{suffix}").unlink(missing_ok=True)


def opened(form_token: str) -> list[uploads.CheckedFile]:
    """The held files as checked files, for filing to store with the complaint."""
    folder = _folder(form_token)
    return [
        uploads.CheckedFile(f.filename, f.content_type, (folder / f"{f.id}.bin").open("rb"))
        for f in held(form_token)
    ]


def clear(form_token: str) -> None:
    """The form was sent: its draft is no longer needed."""
    shutil.rmtree(_folder(form_token), ignore_errors=True)
