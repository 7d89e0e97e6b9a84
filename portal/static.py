"""The static files (CSS, htmx, the Khmer font), served by servestatic at URLs that carry a
hash of their content, /static/<hash>/css/portal.css: browsers keep them for good without
asking again, and a deploy that changes any file changes every URL. One hash for the whole
directory lets the CSS name its fonts relatively (../fonts/...) and still reach this version.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from functools import cache
from pathlib import Path

from litestar.types import ASGIApp
from servestatic import ServeStaticASGI
from servestatic.compress import Compressor

from portal.settings import PROJECT_ROOT

STATIC_DIR = PROJECT_ROOT / "static"


@cache
def version() -> str:
    """A hash of every static file's name and content."""
    digest = hashlib.sha256()
    for path in sorted(STATIC_DIR.rglob("*")):
        if path.is_file():
            name = path.relative_to(STATIC_DIR).as_posix()
            digest.update(f"{name}\0{hashlib.sha256(path.read_bytes()).hexdigest()}\n".encode())
    return digest.hexdigest()[:12]


def static_url(name: str) -> str:
    """The address of static/<name> in this version, e.g. static_url("css/portal.css")."""
    return f"/static/{version()}/{name}"


def compressed_copy(data_dir: Path) -> Path:
    """This version's static files under the data directory, each worth compressing with a
    gzip and a brotli file beside it (servestatic sends those to browsers that take them).
    Made once per version; workers starting together each build apart, and one keeps its copy."""
    target = data_dir / "static" / version()
    if not target.is_dir():
        target.parent.mkdir(parents=True, exist_ok=True)
        building = Path(tempfile.mkdtemp(dir=target.parent))
        shutil.copytree(STATIC_DIR, building, dirs_exist_ok=True)
        compressor = Compressor(quiet=True)
        for path in building.rglob("*"):
            if path.is_file() and compressor.should_compress(path.name):
                compressor.compress(path)
        try:
            building.rename(target)
        except OSError:  # another worker renamed its copy first
            shutil.rmtree(building)
    return target


def serve_static(app: ASGIApp, data_dir: Path) -> ASGIApp:
    """`app`, with this version's static files answered before it (anything else under
    /static/, an old version's address included, reaches `app` and its 404)."""
    return ServeStaticASGI(
        app,
        root=compressed_copy(data_dir),
        prefix=static_url(""),
        # Every address it answers carries the content hash: cache for good.
        immutable_file_test=lambda path, url: True,
        allow_all_origins=False,  # no other site uses these files
    )
