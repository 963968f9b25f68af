"""Hostile upload files built by hand (a few KB each), for the tests of every parser of uploads."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>')
_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"'
    ' Target="xl/workbook.xml"/></Relationships>')
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>')
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"'
    ' Target="worksheets/sheet1.xml"/></Relationships>')


def _cell(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def xlsx(cells: dict[str, str], *, dimension: str | None, padding: int = 0, formatted: tuple[str, ...] = ()) -> bytes:
    """A one-sheet workbook written by hand: `cells` by reference ("A1": "姓名"), cells that only carry formatting
    (`formatted`, e.g. a border), the `<dimension ref>` as given (or none), and `padding` bytes of blanks inside
    the sheet (which compress to almost nothing)."""
    rows: dict[int, list[str]] = {}
    for ref, text in cells.items():
        number = int("".join(ch for ch in ref if ch.isdigit()))
        rows.setdefault(number, []).append(_cell(ref, text))
    for ref in formatted:
        number = int("".join(ch for ch in ref if ch.isdigit()))
        rows.setdefault(number, []).append(f'<c r="{ref}" s="1"/>')
    body = "".join(f'<row r="{number}">{"".join(row)}</row>' for number, row in sorted(rows.items()))
    sheet = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
             '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
             + (f'<dimension ref="{dimension}"/>' if dimension else "")
             + f"<sheetData>{body}</sheetData>" + " " * padding + "</worksheet>")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
    return buffer.getvalue()


HEADER = {"A1": "姓名", "B1": "小区", "C1": "楼栋", "D1": "房号"}


def far_cell_xlsx(*, dimension: str | None = "XFD1048576") -> bytes:
    """One cell, at XFD1048576 (the last cell Excel has): read from A1 as rows are, 17 billion cells."""
    return xlsx({"XFD1048576": "x"}, dimension=dimension)


def two_corners_xlsx(*, dimension: str | None = "A1") -> bytes:
    """A household sheet header at A1 and a cell at XFD1048576, under a `<dimension>` that lies (or none)."""
    return xlsx({**HEADER, "XFD1048576": "x"}, dimension=dimension)


def zip_bomb_xlsx() -> bytes:
    """A few KB that unzip to 8 MB: the sheet is mostly blanks, compressed about 1000 to 1."""
    return xlsx(HEADER, dimension="A1:D1", padding=8 * 1024 * 1024)


def png_declaring(width: int, height: int) -> bytes:
    """A small PNG whose header declares `width` × `height` pixels (its pixel data is a token few bytes)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00" * 1024)) + chunk(b"IEND", b""))
