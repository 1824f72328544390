"""The picture cache (issue #10, items 3 and 7): `check` writes nothing; `build` caches honestly.

Converted (CMYK) pictures were written to ~/.cache/kanwu by `check` too, and a cache folder that
could not be written failed the build.
"""
from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

import pytest
from PIL import Image

from kanwu import imagecache
from kanwu.build import build
from kanwu.cli import main
from kanwu.errors import KanwuError

from paths import MINIMAL

ISSUE = MINIMAL + """\
    images:
      - {src: rgb.jpg, caption: 彩色}
      - {src: grey.png, caption: 灰度}
"""


def files(root: Path) -> set[Path]:
    return {p for p in root.rglob("*") if p.is_file()}


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An issue with two pictures to convert; HOME, XDG_CACHE_HOME and TMPDIR inside tmp_path, no KANWU_CACHE."""
    folder = tmp_path / "issue"
    folder.mkdir()
    Image.new("RGB", (900, 600), (200, 60, 40)).save(folder / "rgb.jpg", quality=90)
    Image.new("L", (900, 600), 128).save(folder / "grey.png")
    (folder / "issue.yaml").write_text(ISSUE, encoding="utf-8")
    for name in ("home", "tmp"):
        (tmp_path / name).mkdir()
    monkeypatch.delenv("KANWU_CACHE", raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    return tmp_path


def test_check_writes_nothing_at_all(home: Path, capsys: pytest.CaptureFixture) -> None:
    before = files(home)
    assert main(["check", str(home / "issue" / "issue.yaml")]) == 0, capsys.readouterr().err
    assert files(home) == before  # no cache in ~/.cache, nothing in the temporary folder, nothing beside the issue
    assert not (home / "home" / ".cache").exists()


def test_build_caches_under_xdg_or_home_and_check_reads_it(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    issue = home / "issue" / "issue.yaml"
    cold = build(issue, write=False).report.findings
    result = build(issue, home / "out", png=False)
    cached = files(home / "home" / ".cache" / "kanwu")
    assert len(cached) == 2 and all(p.suffix == ".jpg" for p in cached), cached
    assert not [f for f in result.report.findings if f.code == "cache-unwritable"]
    # a warm cache changes nothing in what check finds, and check still writes nothing
    before = files(home)
    assert build(issue, write=False).report.findings == cold
    assert files(home) == before
    # XDG_CACHE_HOME wins over ~/.cache; KANWU_CACHE over both
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "xdg"))
    assert imagecache.cache_folder() == home / "xdg" / "kanwu" / "images"
    monkeypatch.setenv("KANWU_CACHE", str(home / "mine"))
    assert imagecache.cache_folder() == home / "mine" / "images"


@pytest.mark.parametrize("off", ["KANWU_CACHE=off", "--no-cache"])
def test_the_cache_can_be_turned_off(home: Path, monkeypatch: pytest.MonkeyPatch, off: str) -> None:
    monkeypatch.chdir(home)
    args = ["build", str(home / "issue" / "issue.yaml"), "-o", str(home / "out"), "--no-png"]
    if off.startswith("KANWU_CACHE"):
        monkeypatch.setenv("KANWU_CACHE", "off")
    else:
        args.append(off)
    assert main(args) == 0
    assert not (home / "home" / ".cache").exists() and not (home / "off").exists()
    assert not files(home / "tmp")


def _same_print(home: Path, out: str) -> bytes:
    return (home / out / "issue.print.pdf").read_bytes()


@pytest.mark.parametrize("blocker", ["file", "under-a-file", "read-only"])
def test_an_unusable_cache_folder_does_not_fail_the_build(home: Path, monkeypatch: pytest.MonkeyPatch,
                                                          capsys: pytest.CaptureFixture, blocker: str) -> None:
    reference = build(home / "issue" / "issue.yaml", home / "ref", png=False, use_cache=False)
    (home / "file").write_text("not a folder")
    if blocker == "file":
        monkeypatch.setenv("KANWU_CACHE", str(home / "file"))
    elif blocker == "under-a-file":
        monkeypatch.setenv("KANWU_CACHE", str(home / "file" / "cache"))
    else:  # a read-only file system (root ignores permission bits, so the write itself is refused here)
        monkeypatch.setenv("KANWU_CACHE", str(home / "ro"))

        def refuse(path: Path, data: bytes) -> None:
            raise KanwuError(f"{path}: error: 写入失败 / cannot write: 只读的磁盘 / the disk is read-only")

        monkeypatch.setattr(imagecache, "write_atomic", refuse)
    code = main(["build", str(home / "issue" / "issue.yaml"), "-o", str(home / "out"), "--no-png"])
    err = capsys.readouterr().err
    assert code == 0, err
    assert "Traceback" not in err and "internal error" not in err
    assert err.count("图片缓存") == 1, err  # one warning, no more
    assert _same_print(home, "out") == reference.written["print"].read_bytes()
    assert not files(home / "tmp")


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_cache_folder_for_real(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (home / "ro" / "images").mkdir(parents=True)
    (home / "ro" / "images").chmod(0o500)
    monkeypatch.setenv("KANWU_CACHE", str(home / "ro"))
    try:
        result = build(home / "issue" / "issue.yaml", home / "out", png=False)
    finally:
        (home / "ro" / "images").chmod(0o700)
    assert result.exit_code == 0 and [f for f in result.report.findings if f.code == "cache-unwritable"]


def test_a_damaged_cache_entry_is_converted_again(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KANWU_CACHE", str(home / "c"))
    issue = home / "issue" / "issue.yaml"
    first = build(issue, home / "a", png=False).written["print"].read_bytes()
    for entry in files(home / "c"):
        entry.write_bytes(entry.read_bytes()[:100])  # cut short (a disk that filled up, a copy gone wrong)
    assert build(issue, home / "b", png=False).written["print"].read_bytes() == first


def test_the_cache_is_bounded_oldest_first(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KANWU_CACHE", str(tmp_path))
    monkeypatch.setattr(imagecache, "MAX_BYTES", 3000)
    cache = imagecache.ImageCache.open(write=True)
    jpeg = b"\xff\xd8" + b"x" * 996 + b"\xff\xd9"
    for i in range(5):
        cache.put(f"k{i}", jpeg)
        os.utime(cache.folder / f"k{i}.jpg", (time.time() - 100 + i, time.time() - 100 + i))
    cache.prune()
    assert sorted(p.name for p in files(tmp_path)) == ["k2.jpg", "k3.jpg", "k4.jpg"]
    assert cache.get("k4") == jpeg and cache.get("k0") is None
