"""Opening a correspondent's ``.docx``: only a real, sane Word package reaches python-docx.

A ``.docx`` is a zip of XML parts and media. It comes by e-mail or WeChat from
people kanwu cannot vouch for, so before python-docx reads it the package is
checked whole: the file is a zip (an old ``.doc``, a WPS ``.wps`` or an RTF
renamed ``.docx`` is named for what it is and refused with "save it as
.docx"), its member names are plain relative names (no ``../``, no absolute
or Windows paths, no duplicates), the sizes it declares are bounded (a zip
bomb is refused before anything is inflated; ``zipfile`` never inflates a
member past its declared size) and every XML part parses without a DTD or an
entity (defusedxml), so no entity expansion or external entity can happen in
python-docx's parser later. Nothing is ever extracted to disk here.
"""
from __future__ import annotations

import io
import zipfile
import zlib
from pathlib import Path, PurePosixPath

from ..errors import KanwuError
from ..files import read_bytes, utf8_name
from ..images import MAX_IMAGE_BYTES

MAX_DOCX_BYTES = 200_000_000
"""A ``.docx`` larger than this is refused unread (a story with a dozen phone photos is 30–60 MB)."""
MAX_MEMBERS = 2_000
"""Members a package may have (a Word document has a few dozen, one per picture more)."""
MAX_XML_BYTES = 20_000_000
"""One XML part, inflated (the text of a 50 000-character story is about 1 MB of WordprocessingML)."""
MAX_TOTAL_BYTES = 400_000_000
"""All members together, inflated: what python-docx may hold in memory at most."""

_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED = "EncryptedPackage".encode("utf-16-le")
SAVE_AS = "请在 Word 或 WPS 中打开它，“另存为” Word 文档（.docx）后再导入 / open it in Word or WPS and save it as .docx"


def _not_docx(shown: str, data: bytes) -> KanwuError:
    """Why a file that is not a zip cannot be imported, named by what it looks like."""
    if data.startswith(_OLE):
        if _ENCRYPTED in data[:1_000_000]:
            return KanwuError(f"{shown}: error: 文档设置了打开密码：请在 Word 或 WPS 中取消密码后另存为 .docx 再导入 / "
                              "the document is password-protected: remove the password and save it as .docx")
        what = "旧版 Word（.doc）或 WPS（.wps）文档 / an old Word (.doc) or WPS (.wps) document"
    elif data.lstrip().startswith(b"{\\rtf"):
        what = "RTF 文档 / an RTF document"
    elif data.lstrip()[:5].lower() in (b"<html", b"<!doc", b"<?xml"):
        what = "网页或 XML 文件 / a web page or an XML file"
    elif data.startswith(b"%PDF"):
        what = "PDF 文件 / a PDF file"
    elif not data:
        what = "空文件 / an empty file"
    else:
        what = "不是 Word 文档 / not a Word document"
    return KanwuError(f"{shown}: error: 这不是 .docx 文件（{what}）：{SAVE_AS}")


def _bad_name(name: str) -> bool:
    """A member name that is not a plain relative name inside the package."""
    if not name or "\\" in name or "\x00" in name or name.startswith("/") or ":" in name.split("/")[0]:
        return True
    if any(ord(c) < 0x20 for c in name):
        return True
    return any(part in ("..", ".") for part in PurePosixPath(name).parts)


def _damaged(shown: str, why: str) -> KanwuError:
    return KanwuError(f"{shown}: error: .docx 文件已损坏或不完整（{why}）：请重新保存或重新发送 / "
                      f"the .docx file is damaged or incomplete ({why}): save or send it again")


def _refused(shown: str, why: str) -> KanwuError:
    return KanwuError(f"{shown}: error: 拒绝导入：{why} / refused")


def _check_members(shown: str, zf: zipfile.ZipFile) -> list[zipfile.ZipInfo]:
    """The members, every name and declared size checked; `KanwuError` for a hostile package."""
    infos = zf.infolist()
    if len(infos) > MAX_MEMBERS:
        raise _refused(shown, f"压缩包里有 {len(infos):,} 个文件，超过 {MAX_MEMBERS:,} 个 / the package has "
                       f"{len(infos):,} members, the limit is {MAX_MEMBERS:,}")
    seen: set[str] = set()
    total = 0
    for info in infos:
        name = info.filename
        if _bad_name(name):
            raise _refused(shown, f"压缩包里有指向外面的文件名 “{name[:80]!r}”（路径穿越）/ a member name leads outside "
                           "the package (path traversal)")
        if name.lower() in seen:
            raise _refused(shown, f"压缩包里有两个同名文件 “{name[:80]}” / two members have the same name")
        seen.add(name.lower())
        if info.flag_bits & 0x1:
            raise KanwuError(f"{shown}: error: 文档的内容被加密了：请取消密码后另存为 .docx / the package is encrypted: "
                             "remove the password and save it as .docx")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise _damaged(shown, f"不支持的压缩方式 {info.compress_type} / unsupported compression")
        limit = MAX_XML_BYTES if _is_xml_name(name) else MAX_IMAGE_BYTES
        if info.file_size > limit:
            raise _refused(shown, f"“{name[:80]}” 解压后 {info.file_size:,} 字节，超过上限 {limit:,}（压缩炸弹？）/ "
                           f"a member inflates to {info.file_size:,} bytes, over the limit of {limit:,} (a zip bomb?)")
        total += info.file_size
    if total > MAX_TOTAL_BYTES:
        raise _refused(shown, f"解压后共 {total:,} 字节，超过上限 {MAX_TOTAL_BYTES:,}（压缩炸弹？）/ the package inflates "
                       f"to {total:,} bytes, over the limit of {MAX_TOTAL_BYTES:,} (a zip bomb?)")
    if "[content_types].xml" not in seen:
        raise KanwuError(f"{shown}: error: 这是一个压缩包，但不是 Word 文档 / a zip file, but not a Word document: {SAVE_AS}")
    return infos


def _is_xml_name(name: str) -> bool:
    return name.lower().endswith((".xml", ".rels"))


def _read(shown: str, zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """One member's bytes (at most its declared size: ``zipfile`` stops there and checks the CRC)."""
    try:
        with zf.open(info) as fh:
            return fh.read(info.file_size + 1)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, RuntimeError, ValueError) as exc:
        raise _damaged(shown, f"{info.filename[:80]}: {exc}") from None


def _xml_members(shown: str, zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo]) -> list[zipfile.ZipInfo]:
    """The members python-docx may parse as XML: by name, and every part ``[Content_Types].xml`` calls XML."""
    by_name = {i.filename.lower(): i for i in infos}
    types = _parse(shown, "[Content_Types].xml", _read(shown, zf, by_name["[content_types].xml"]))
    defaults, overrides = {}, {}
    for el in types:
        tag = el.tag.rsplit("}", 1)[-1]
        ctype = el.get("ContentType", "")
        if tag == "Default":
            defaults[el.get("Extension", "").lower()] = ctype
        elif tag == "Override":
            overrides[el.get("PartName", "").lstrip("/").lower()] = ctype
    out = []
    for info in infos:
        name = info.filename.lower()
        ctype = overrides.get(name) or defaults.get(name.rsplit(".", 1)[-1] if "." in name else "", "")
        if _is_xml_name(name) or ctype.endswith("xml"):
            if info.file_size > MAX_XML_BYTES:
                raise _refused(shown, f"XML 部件 “{info.filename[:80]}” 太大 / an XML part is too large "
                               f"({info.file_size:,} bytes, the limit is {MAX_XML_BYTES:,})")
            out.append(info)
    return out


def _parse(shown: str, name: str, data: bytes):  # -> xml.etree.ElementTree.Element
    """An XML part parsed by defusedxml: a DTD, an entity or an external reference refuses the file."""
    import xml.etree.ElementTree as ET

    import defusedxml.ElementTree as safe
    from defusedxml import DefusedXmlException

    try:
        return safe.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise _refused(shown, f"“{name[:80]}” 含有 DTD 或实体定义（XML 实体攻击？），Word 文档不会有这些 / an XML part "
                       "declares a DTD or entities (an XML entity attack?); Word never writes them") from None
    except (ET.ParseError, ValueError, UnicodeError) as exc:
        raise _damaged(shown, f"{name[:80]}: {exc}") from None


def open_docx(path: Path, shown: str):  # -> docx.document.Document
    """The checked package opened by python-docx; `KanwuError` (exit 2) for anything else.

    Every refusal says what the file is and what to do: save an old ``.doc``
    or ``.wps`` as ``.docx``, send a damaged file again; a hostile package
    (zip bomb, path traversal, XML entities) is refused before python-docx
    sees it.
    """
    utf8_name(path, shown)
    data = read_bytes(path, shown, MAX_DOCX_BYTES, f"文件太大（超过 {MAX_DOCX_BYTES // 1_000_000} MB）：请压缩图片后"
                      f"重新保存 / the file is too large (the limit is {MAX_DOCX_BYTES:,} bytes)")
    if not data.startswith(_ZIP):
        raise _not_docx(shown, data)
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError, RuntimeError) as exc:
        raise _damaged(shown, str(exc)) from None
    with zf:
        infos = _check_members(shown, zf)
        for info in _xml_members(shown, zf, infos):
            _parse(shown, info.filename, _read(shown, zf, info))
        for info in infos:  # inflate everything once: a bad CRC or a cut-off member is named now
            _read(shown, zf, info)
    return _load(shown, data)


def _load(shown: str, data: bytes):  # -> docx.document.Document
    """python-docx on the checked bytes; what it cannot make sense of is a damaged file, not a crash."""
    import docx
    from docx.opc.exceptions import OpcError
    from lxml import etree

    try:
        document = docx.Document(io.BytesIO(data))
        if getattr(document.element, "body", None) is None:  # the root is not a <w:document> with a <w:body>
            raise _damaged(shown, "没有正文部分 / no document body")
        return document
    except ValueError as exc:
        if "is not a Word file" in str(exc):  # an .xlsx or .pptx renamed: python-docx names its content type
            raise KanwuError(f"{shown}: error: 这是 Office 文件，但不是 Word 文档（可能是 Excel 或 PowerPoint）/ an Office "
                             f"file but not a Word document: {SAVE_AS}") from None
        raise _damaged(shown, str(exc)[:200]) from None
    except (OpcError, KeyError, IndexError, AttributeError, TypeError, etree.LxmlError, zipfile.BadZipFile) as exc:
        raise _damaged(shown, f"{type(exc).__name__}: {str(exc)[:200]}") from None
