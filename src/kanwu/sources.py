"""Text sources: issue files, body files and layout.yaml read as text, never by guessing the encoding.

UTF-8 (with or without a BOM) and UTF-16/32 with a BOM (Notepad's "Unicode") are read; anything else is
refused with where the first bad byte is. One module so that the loader, the schema reader (body files),
the layout loader and the proof all read text the same way.
"""
from __future__ import annotations

from pathlib import Path

from .errors import KanwuError
from .files import read_bytes

MAX_SOURCE_BYTES = 2_000_000
"""Issue and body files larger than this are refused unread (a bulletin's file is a few kB)."""
# UTF-32 first: its little-endian mark starts with UTF-16's
_BOMS = ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe\x00\x00", "utf-32-le"), (b"\x00\x00\xfe\xff", "utf-32-be"),
         (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))


def read_source(path: Path, shown: str) -> str:
    """The file's text, decoded as UTF-8 (a BOM is fine, CRLF becomes LF).

    Notepad's "Unicode" (UTF-16 with a byte-order mark) is decoded too: the
    mark says which it is, so nothing is guessed. Anything else that is not
    UTF-8 is refused with a message saying where the first bad byte is:
    guessing GBK risks printing mojibake. Files over `MAX_SOURCE_BYTES` are
    refused before they are read.
    """
    data = read_bytes(path, shown, MAX_SOURCE_BYTES, f"文件太大（超过 {MAX_SOURCE_BYTES // 1_000_000} MB），请拆分稿件 / "
                      f"the file is too large (the limit is {MAX_SOURCE_BYTES:,} bytes): split it")
    bom, codec = encoding_of(data)
    if bom:
        try:
            text = data[len(bom):].decode(codec)
        except UnicodeDecodeError as exc:
            where = _line_col(data[len(bom):len(bom) + exc.start].decode(codec, "replace"))
            raise KanwuError(f"{shown}:{where}: error: 文件以 {codec.upper()} 标记开头但内容无法解码（字节 {exc.start}）："
                             "请“另存为”UTF-8 / the file starts with a "
                             f"{codec.upper()} byte-order mark but does not decode: save it as UTF-8") from None
    else:
        if _looks_utf16(data):
            raise KanwuError(f"{shown}: error: 文件像是没有字节顺序标记的 UTF-16 编码，请在记事本中“另存为”并选择 UTF-8 / "
                             "the file looks like UTF-16 without a byte-order mark: save it as UTF-8")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            where = _line_col(data[: exc.start].decode("utf-8", "replace"))
            hint = ""
            try:
                data.decode("gb18030")
                hint = "（看起来是 GBK/GB18030 编码）"
            except UnicodeDecodeError:
                pass
            raise KanwuError(
                f"{shown}:{where}: error: 文件不是 UTF-8 编码{hint}，请在记事本中“另存为”并选择 UTF-8 / "
                "the file is not UTF-8: save it as UTF-8") from None
    if "\x00" in text:
        raise KanwuError(f"{shown}: error: 文件含有空字节，不是文本文件 / the file contains NUL bytes: not a text file")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def encoding_of(data: bytes) -> tuple[bytes, str]:
    """The byte-order mark `data` starts with and its codec; ``(b"", "utf-8")`` without one.

    Whoever rewrites a source file (``kanwu import --into``) writes it back
    in the encoding it came in.
    """
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return bom, codec
    return b"", "utf-8"


def _line_col(before: str) -> str:
    """``line:col`` (1-based) of the character that follows `before`, the text decoded so far."""
    return f"{before.count(chr(10)) + 1}:{len(before) - before.rfind(chr(10))}"


def _looks_utf16(data: bytes) -> bool:
    """True when NUL bytes fill every other position, as in UTF-16 text without a BOM."""
    head = data[:4096]
    if len(head) < 4:
        return False
    even, odd = head[0::2].count(0), head[1::2].count(0)
    return max(even, odd) > len(head) // 4 and min(even, odd) < max(even, odd) // 4
