"""The CSV import as an admin goes through it: upload, read the preview, confirm."""

from __future__ import annotations

import re
from typing import Any

from tests.conftest import post_form

TOKEN = re.compile(r'name="token" value="([^"]+)"')


async def upload(client: Any, content: str | bytes) -> Any:
    """The preview page of the file (nothing saved yet)."""
    data = content.encode() if isinstance(content, str) else content
    return await post_form(
        client, "/admin/agencies/import", files={"file": ("agencies.csv", data, "text/csv")}
    )


async def confirm(client: Any, preview: Any) -> Any:
    """Press "Save all these changes" on the preview page."""
    found = TOKEN.search(preview.text)
    assert found, "the preview offers no confirmation"
    return await post_form(client, "/admin/agencies/import/confirm", {"token": found[1]})


async def import_file(client: Any, content: str | bytes) -> Any:
    """Upload and confirm: the response to the confirmation."""
    preview = await upload(client, content)
    assert preview.status_code == 200, preview.text
    return await confirm(client, preview)
