"""Untrusted uploads are parsed in a child process with limits, so a crafted file cannot take the server down.

A spreadsheet whose only cell sits at XFD1048576, a zip bomb or a picture declaring 50,000 × 50,000 pixels
makes a reader allocate far more memory than the machine has; a native reader (calamine is Rust, Pillow is C)
then aborts the whole process, which in the single-process setup is HTTP, WebSockets and tasks together.

`parse_untrusted(fn, ...)` runs a parser in a child process forked from a small fork server (started once per
server process with Django already set up, so a call costs a fork, not an interpreter start). The child gets an
address-space limit (RLIMIT_AS), a CPU-time limit (RLIMIT_CPU) and no core dumps (the files hold ID numbers);
the parent waits with a wall-clock timeout. The parser's result comes back in one message (plain data: rows in
bulk, never one message per row; marshal when it is plain builtins, see `pack_cells`). A crash, the memory limit or the time limit becomes `UntrustedFileError` with a
Chinese message; errors the parser raises itself (a household sheet's row-numbered problems) come back unchanged.

Before cells are read, spreadsheets are checked cheaply (`spreadsheet_check`): the zip's declared sizes and
compression ratio (zip bombs), then each sheet's `<dimension ref>`. `sheet_cells` then checks the used range
calamine reports before any rows are materialised. A file whose dimension lies (or has none) about a range too
large to allocate makes calamine's allocation fail inside the child: still a clean error, never a dead server.

Pictures go through `image_clean` (in the child): the size is read from the header and checked before any pixel is
decoded, then the picture is decoded once and re-encoded, which drops EXIF (GPS position, camera, time), XMP and
comments.
"""

from __future__ import annotations

import gc
import io
import logging
import marshal
import multiprocessing
import pickle
import re
import signal
import traceback
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

T = TypeVar("T")

# A member this large may compress this well only if it is built to explode (real sheets: 5-30×).
ZIP_RATIO_MIN_BYTES = 1024 * 1024
ZIP_MAX_MEMBERS = 10_000
_DIMENSION = re.compile(rb"<(?:[A-Za-z_][\w.\-]*:)?dimension\s[^>]*?ref\s*=\s*[\"']([^\"']*)[\"']")
_CELL_REF = re.compile(r"^\$?([A-Za-z]{1,4})\$?([0-9]{1,8})$")
# A cell with content: <c r="XFD1048576" t="s"><v>0</v></c>, not a formatted-only <c r="J900000" s="3"/>.
_CONTENT_CELL = re.compile(rb"<(?:[A-Za-z_][\w.\-]*:)?c\s[^>]*?\br\s*=\s*[\"']([A-Za-z]{1,4})([0-9]{1,8})[\"'][^>]*(?<!/)>")


class UntrustedFileError(Exception):
    """An uploaded file was refused; `message` is the Chinese reason shown to the user, `code` what kind."""

    def __init__(self, message: str, code: str = "invalid"):
        super().__init__(message, code)
        self.message = message
        self.code = code

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class ParseLimits:
    """What a parser of one untrusted file may use."""

    memory_bytes: int
    cpu_seconds: int
    timeout_seconds: float

    @classmethod
    def from_settings(cls) -> ParseLimits:
        return cls(memory_bytes=settings.UPLOAD_PARSE_MEMORY_MB * 1024 * 1024,
                   cpu_seconds=settings.UPLOAD_PARSE_CPU_SECONDS,
                   timeout_seconds=float(settings.UPLOAD_PARSE_TIMEOUT_SECONDS))


# ---------------------------------------------------------------------------------------------- the child

def _context():
    """The fork server when the platform has one (Linux, macOS); a fresh interpreter per file otherwise."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        # The fork server imports Django (and the main module, which children would otherwise import again)
        # once; every child is a fork of it, ready to parse.
        context.set_forkserver_preload(["__main__", "sanshe.core.upload_child"])
        return context
    return multiprocessing.get_context("spawn")


def _apply_limits(memory_bytes: int, cpu_seconds: int) -> None:
    try:
        import resource
    except ImportError:  # not on POSIX: the process boundary still protects the server
        return
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # a dump would hold the file's ID numbers
    if memory_bytes:
        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    if cpu_seconds:
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))


def _child(conn, fn: Callable, args: tuple, kwargs: dict, memory_bytes: int, cpu_seconds: int,
           language: str | None) -> None:
    """Run in the child: limits first, then the parser; one message back (result, raised error or crash)."""
    gc.disable()  # a short-lived process: no collector passes over the rows it builds
    try:
        _apply_limits(memory_bytes, cpu_seconds)
        import django
        from django.apps import apps

        if not apps.ready:
            django.setup()
        if language:
            translation.activate(language)
        payload: tuple = ("ok", fn(*args, **kwargs))
    except MemoryError:
        payload = ("memory", "")
    except Exception as exc:  # the parser's own errors go back to be raised in the server process
        try:
            pickle.loads(pickle.dumps(exc))
            payload = ("raised", exc)
        except Exception:
            payload = ("crash", traceback.format_exc())
    except BaseException:  # a Rust panic in calamine arrives as pyo3's PanicException (a BaseException)
        payload = ("crash", traceback.format_exc())
    try:
        conn.send_bytes(_encode(payload))
    except MemoryError:
        conn.send_bytes(_encode(("memory", "")))
    except Exception:
        conn.send_bytes(_encode(("crash", traceback.format_exc())))
    finally:
        conn.close()


def _encode(payload: tuple) -> bytes:
    """marshal when the result is plain builtins (several times faster for 50,000 rows), pickle otherwise."""
    try:
        return b"M" + marshal.dumps(payload)
    except ValueError:
        return b"P" + pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL)


def _decode(data: bytes) -> tuple:
    # The child runs as the same user as the server: the boundary contains crashes and runaway memory or
    # time, not a parser an attacker has taken over, so trusting its answer adds nothing an attacker lacks.
    was_enabled = gc.isenabled()
    gc.disable()  # hundreds of thousands of new strings would make the collector rescan them again and again
    try:
        return marshal.loads(data[1:]) if data[:1] == b"M" else pickle.loads(data[1:])
    finally:
        if was_enabled:
            gc.enable()


def _memory_error() -> UntrustedFileError:
    return UntrustedFileError(_("文件过于庞大：读取它需要的内存超过了上限（可能在很远的行或列误填了内容，或文件经过特殊构造），"
                                "已拒绝。请删除多余的内容或分成几个文件，用Excel“另存为”后重新上传"), "memory")


def _time_error(seconds: float) -> UntrustedFileError:
    return UntrustedFileError(_("读取文件超时（超过%(s)d秒），已停止。请检查文件是否过大或已损坏，分成几个小文件后重新上传")
                              % {"s": int(seconds)}, "time")


def _crash_error() -> UntrustedFileError:
    return UntrustedFileError(_("文件无法读取（可能已损坏或经过特殊构造），已拒绝。请检查文件后重新上传"), "crash")


def parse_untrusted(fn: Callable[..., T], /, *args: Any, limits: ParseLimits | None = None, **kwargs: Any) -> T:
    """Run `fn(*args, **kwargs)` on an untrusted file in a child process with limits; return its result.

    `fn` must be a module-level function returning picklable plain data. What it raises comes back as raised;
    a crash (native abort, segfault), running out of its memory or its time raises `UntrustedFileError`.
    """
    limits = limits or ParseLimits.from_settings()
    context = _context()
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=_child, daemon=True, name="sanshe-upload-parser", args=(
        sender, fn, args, kwargs, limits.memory_bytes, limits.cpu_seconds, translation.get_language()))
    try:
        process.start()
    finally:
        sender.close()
    payload: tuple | None = None
    try:
        if receiver.poll(limits.timeout_seconds):
            try:
                payload = _decode(receiver.recv_bytes())
            except (EOFError, OSError):
                payload = None  # the child died before answering
            except Exception:  # an answer cut short or garbled: the same as no answer
                logger.exception("upload parser answer could not be read")
                payload = None
        else:
            process.kill()
            payload = ("time", "")
    finally:
        receiver.close()
        process.join(10)
        if process.is_alive():
            process.kill()
            process.join(5)
    exitcode = process.exitcode
    process.close()
    name = getattr(fn, "__qualname__", repr(fn))
    if payload is None:
        logger.warning("upload parser %s died (exit code %s)", name, exitcode)
        if exitcode in (-signal.SIGXCPU, -signal.SIGKILL):
            raise _time_error(limits.cpu_seconds)
        if exitcode == -signal.SIGABRT:  # calamine (Rust) aborts when an allocation fails
            raise _memory_error()
        raise _crash_error()
    kind, value = payload
    if kind == "ok":
        return value
    if kind == "raised":
        raise value
    logger.warning("upload parser %s failed: %s %s", name, kind, value)
    if kind == "memory":
        raise _memory_error()
    if kind == "time":
        raise _time_error(limits.timeout_seconds)
    raise _crash_error()


# ---------------------------------------------------------------------------------------------- spreadsheets

_PLAIN = (str, float, int, bool, type(None))


def pack_cells(rows: list) -> tuple[list, list]:
    """Rows of cells made marshal-able for the trip out of the child: (rows, [(row, column, pickled value)]).

    Dates and times (rare in a household sheet) travel pickled at their positions; everything else as it is.
    """
    special = []
    for r, row in enumerate(rows):
        cells = row[1] if isinstance(row, tuple) else row
        for c, value in enumerate(cells):
            if value.__class__ not in _PLAIN:
                special.append((r, c, pickle.dumps(value)))
                cells[c] = None
    return rows, special


def unpack_cells(rows: list, special: list) -> list:
    """The rows `pack_cells` packed, with their dates and times back in place."""
    for r, c, value in special:
        row = rows[r]
        (row[1] if isinstance(row, tuple) else row)[c] = pickle.loads(value)
    return rows


@dataclass(frozen=True)
class SheetLimits:
    """How big a spreadsheet may be, unzipped and in cells (rows × columns of each sheet's used range)."""

    max_cells: int
    max_unzipped_bytes: int
    max_zip_ratio: int

    @classmethod
    def from_settings(cls) -> SheetLimits:
        return cls(max_cells=settings.UPLOAD_SHEET_MAX_CELLS,
                   max_unzipped_bytes=settings.UPLOAD_UNZIPPED_MAX_MB * 1024 * 1024,
                   max_zip_ratio=settings.UPLOAD_ZIP_MAX_RATIO)


def column_index(letters: str) -> int:
    """A → 1, Z → 26, AA → 27, XFD → 16384."""
    index = 0
    for letter in letters.upper():
        index = index * 26 + ord(letter) - 64
    return index


def _cell_name(row: int, column: int) -> str:
    letters, index = "", column
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return f"{letters}{row}"


def _range_error(row: int, column: int, limit: int) -> UntrustedFileError:
    return UntrustedFileError(_(
        "表格的使用范围太大：一直到单元格 %(cell)s（%(rows)d行 × %(cols)d列），超过了上限%(limit)d个单元格。"
        "通常是在很远的地方误填了内容或设置了格式：请在Excel中删除多余的行和列，保存后重新上传")
        % {"cell": _cell_name(row, column), "rows": row, "cols": column, "limit": limit}, "range")


def check_extent(rows: int, columns: int, limits: SheetLimits) -> None:
    """Rows × columns counted from A1 (what a reader fills in) must stay within the cell limit."""
    if rows * columns > limits.max_cells:
        raise _range_error(rows, columns, limits.max_cells)


def _dimension_end(ref: bytes) -> tuple[int, int] | None:
    """(row, column) of the bottom-right cell of a `<dimension ref="A1:L500">`, or None when unreadable."""
    end = ref.decode("ascii", "replace").split(":")[-1].strip()
    match = _CELL_REF.match(end)
    if not match:
        return None
    return int(match[2]), column_index(match[1])


def _content_extent(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> tuple[int, int]:
    """(last row, last column) of the cells with content in a sheet, read as a stream (only when the dimension
    claims a range over the limit: a few seconds for a big sheet)."""
    rows = columns = 0
    carry = b""
    with archive.open(member) as stream:
        while True:
            chunk = stream.read(4 * 1024 * 1024)
            if not chunk:
                break
            data = carry + chunk
            cut = data.rfind(b"<")
            data, carry = data[:cut], data[cut:][-64 * 1024:]
            for letters, number in _CONTENT_CELL.findall(data):
                rows = max(rows, int(number))
                columns = max(columns, column_index(letters.decode("ascii")))
    return rows, columns


def spreadsheet_check(source: bytes | str | Path, limits: SheetLimits | None = None) -> None:
    """Refuse a zip-based spreadsheet (.xlsx) before it is read: unzipped size, compression ratio, sheet size.

    Files that are not zips are left to the reader (which says what is wrong with them).
    """
    limits = limits or SheetLimits.from_settings()
    handle = io.BytesIO(source) if isinstance(source, bytes) else source
    try:
        archive = zipfile.ZipFile(handle)
    except (zipfile.BadZipFile, OSError, ValueError):
        return
    with archive:
        members = archive.infolist()
        if len(members) > ZIP_MAX_MEMBERS:
            raise _crash_error()
        unzipped = sum(member.file_size for member in members)
        if unzipped > limits.max_unzipped_bytes:
            raise UntrustedFileError(_(
                "文件解压后太大（%(size)d MB），上限为%(limit)d MB，已拒绝。请删除多余的工作表、图片或内容，"
                "或分成几个文件后重新上传") % {"size": unzipped // (1024 * 1024),
                                      "limit": limits.max_unzipped_bytes // (1024 * 1024)}, "unzipped")
        for member in members:
            if (member.file_size > ZIP_RATIO_MIN_BYTES
                    and member.file_size > limits.max_zip_ratio * max(member.compress_size, 1)):
                raise UntrustedFileError(_(
                    "文件的压缩比异常（解压后是压缩时的%(ratio)d倍以上，可能是“压缩炸弹”），已拒绝。"
                    "请用Excel打开后“另存为”.xlsx再上传") % {"ratio": limits.max_zip_ratio}, "zip_bomb")
        cells = 0
        for member in members:
            name = member.filename
            if not (name.startswith("xl/worksheets/") and name.endswith(".xml")):
                continue
            try:
                with archive.open(member) as stream:
                    head = stream.read(64 * 1024)
            except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError, EOFError):
                continue  # the reader reports a damaged or encrypted file in its own words
            found = _DIMENSION.search(head)
            end = _dimension_end(found[1]) if found else None
            if end is None:
                continue  # no (usable) dimension: the used range is checked again once the reader has it
            if end[0] * end[1] > limits.max_cells:
                # The dimension also counts cells that only carry formatting (borders drawn down to row
                # 900000), which readers skip: refuse only if cells with content really reach that far.
                end = _content_extent(archive, member)
                check_extent(*end, limits)
            cells += end[0] * end[1]
            if cells > limits.max_cells:  # many sheets, each within the limit, add up too
                raise _range_error(*end, limits.max_cells)


def sheet_cells(sheet, limits: SheetLimits | None = None) -> list[list]:
    """A calamine sheet's cells as rows from A1 (like `to_python(skip_empty_area=False)`), after checking the
    used range calamine found (whatever the file's dimension said) against the cell limit."""
    limits = limits or SheetLimits.from_settings()
    end = sheet.end
    if end is None:
        return []
    check_extent(end[0] + 1, end[1] + 1, limits)
    return sheet.to_python(skip_empty_area=False)


# ---------------------------------------------------------------------------------------------- pictures

@dataclass(frozen=True)
class CleanImage:
    """A picture decoded and re-encoded without its metadata."""

    data: bytes
    format: str  # Pillow's name: JPEG, PNG, GIF, WEBP
    content_type: str
    suffix: str
    width: int
    height: int


IMAGE_CONTENT_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif", "WEBP": "image/webp"}


def image_clean(data: bytes, *, formats: tuple[str, ...], max_pixels: int, max_side: int, quality: int = 85,
                keep_gif: bool = True) -> CleanImage:
    """Check a picture (kind by content, pixels from the header before decoding) and re-encode it without
    metadata (EXIF with the GPS position, XMP, comments), oriented as the phone meant and no larger than
    `max_side`. A GIF is kept as sent (animation) when `keep_gif`. Run it through `parse_untrusted`.

    Raises UntrustedFileError with code "not_image", "format" or "too_large".
    """
    from PIL import Image, ImageOps, UnidentifiedImageError

    # Pillow refuses anything over twice this before decoding; between one and two times it only warns,
    # which the pixel check below turns into a refusal as well.
    Image.MAX_IMAGE_PIXELS = max_pixels
    not_image = UntrustedFileError(_("这个文件不是有效的图片。"), "not_image")
    too_large = UntrustedFileError(_("图片尺寸过大，请截图或压缩后再发。"), "too_large")
    try:
        with Image.open(io.BytesIO(data)) as probe:
            kind = probe.format
            width, height = probe.size
            if width * height > max_pixels:
                raise too_large
            probe.verify()
    except Image.DecompressionBombError as exc:
        raise too_large from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as exc:
        raise not_image from exc
    if kind not in formats or kind not in IMAGE_CONTENT_TYPES:
        raise UntrustedFileError(_("不支持这种图片格式。"), "format")
    if kind == "GIF" and keep_gif:
        return CleanImage(data, kind, "image/gif", "gif", width, height)
    try:
        with Image.open(io.BytesIO(data)) as image:
            image = ImageOps.exif_transpose(image)
            image.thumbnail((max_side, max_side))
            width, height = image.size
            buffer = io.BytesIO()
            if kind == "JPEG":
                # Only what is passed here is written: no EXIF, XMP, ICC or comment from the original.
                image.convert("RGB").save(buffer, "JPEG", quality=quality, optimize=True, comment=b"")
            elif kind == "PNG":
                image.save(buffer, "PNG", optimize=False)
            else:
                image.save(buffer, kind)
    except Image.DecompressionBombError as exc:
        raise too_large from exc
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise not_image from exc
    return CleanImage(buffer.getvalue(), kind, IMAGE_CONTENT_TYPES[kind], kind.lower().replace("jpeg", "jpg"),
                      width, height)
