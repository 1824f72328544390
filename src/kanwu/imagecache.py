"""The picture cache: CMYK copies kept between builds, so that a rebuild converts nothing.

Converted pictures are held in memory for one build (WeasyPrint reads them
through the sandboxed fetcher, never from the cache folder). `kanwu build`
also keeps each copy on disk, in the ``images/`` folder of

* ``$KANWU_CACHE`` (``off`` turns the cache off, as ``--no-cache`` does),
* else ``$XDG_CACHE_HOME/kanwu``,
* else ``~/.cache/kanwu``,

named by a hash of the source picture, the output profile and the size.
`kanwu check` only reads it: it writes nothing anywhere. The folder is
bounded: when it holds more than `MAX_BYTES`, the least recently used copies
are removed. A folder that cannot be used (read-only, a file in its place,
a full disk) is not an error: the build goes on without it, with one warning.
Removing the folder at any time is safe.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from .errors import Finding, KanwuError, Pos
from .output import clean_temps, why, write_atomic

MAX_BYTES = 512 * 1024 * 1024
"""Size the cache folder is pruned to (about fifteen issues' worth of pictures)."""
MAX_ENTRY = 256 * 1024 * 1024
"""Largest cached copy read back (a 120-megapixel CMYK JPEG is far smaller)."""
OFF = ("off", "0", "no", "false", "none")


def cache_folder() -> Path | None:
    """The folder of cached pictures, or None when ``KANWU_CACHE=off``."""
    env = os.environ.get("KANWU_CACHE", "").strip()
    if env.lower() in OFF:
        return None
    base = Path(env) if env else Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "kanwu"
    return base / "images"


def _jpeg(data: bytes) -> bool:
    """A complete JPEG: starts with SOI and ends with EOI (a copy cut short is converted again)."""
    return data[:2] == b"\xff\xd8" and data.rstrip(b"\x00")[-2:] == b"\xff\xd9"


@dataclass
class ImageCache:
    """The disk cache of one build: read when there is a folder, written only when `write`."""

    folder: Path | None
    """The cache folder, or None (cache off)."""
    write: bool
    """Whether copies are kept (`kanwu build`) or only looked up (`kanwu check`)."""
    findings: list[Finding] = field(default_factory=list)
    """The warning that the folder could not be written (at most one)."""
    written: bool = False

    @classmethod
    def open(cls, write: bool, enabled: bool = True) -> "ImageCache":
        """The cache for a build (`write`) or a check; `enabled` false (``--no-cache``) turns it off."""
        return cls(cache_folder() if enabled else None, write)

    def get(self, key: str) -> bytes | None:
        """The cached copy named `key`, or None (missing, not a regular file, too large or damaged)."""
        if self.folder is None:
            return None
        path = self.folder / f"{key}.jpg"
        try:
            st = path.lstat()
            if not path.is_file() or path.is_symlink() or st.st_size > MAX_ENTRY:
                return None
            data = path.read_bytes()
            if self.write:
                os.utime(path)  # recently used: pruned last
        except OSError:
            return None
        return data if _jpeg(data) else None

    def put(self, key: str, data: bytes) -> None:
        """Keep `data` as `key` when writing; a folder that cannot be written turns the cache off."""
        if self.folder is None or not self.write:
            return
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            write_atomic(self.folder / f"{key}.jpg", data)
            self.written = True
        except (OSError, KanwuError) as exc:
            reason = why(exc) if isinstance(exc, OSError) else str(exc).split(": ", 3)[-1]
            self.findings.append(Finding(
                "warning", "cache-unwritable", f"图片缓存文件夹无法写入（{reason}），本次不用缓存，图片照常转换 / the picture "
                "cache folder cannot be written: pictures are converted without it (set KANWU_CACHE to another "
                "folder, or KANWU_CACHE=off)", Pos(str(self.folder))))
            self.folder = None

    def prune(self) -> None:
        """Remove the least recently used copies beyond `MAX_BYTES` (and killed builds' temporary files)."""
        if self.folder is None or not self.write or not self.written:
            return
        clean_temps(self.folder)
        try:
            entries = [(e.stat().st_mtime, e.stat().st_size, e.path) for e in os.scandir(self.folder)
                       if e.name.endswith(".jpg") and e.is_file(follow_symlinks=False)]
        except OSError:
            return
        total = sum(size for _, size, _ in entries)
        for _, size, path in sorted(entries):
            if total <= MAX_BYTES:
                break
            try:
                os.unlink(path)
                total -= size
            except OSError:
                pass
