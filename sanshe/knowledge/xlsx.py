"""The library as a spreadsheet: reading an import file (python-calamine) and writing exports (openpyxl).

Columns: 编号 (empty for a new entry), 问题, 答复, 分类, 标签, 有效期至; an export adds 状态, 审核人, 审核时间,
来源 and 版本, which an import ignores, so an exported file can be edited and imported back.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from datetime import date, datetime
from typing import IO

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill

from sanshe.core.spreadsheets import safe_text
from sanshe.core.uploads import (
    SheetLimits,
    UntrustedFileError,
    parse_untrusted,
    sheet_cells,
    spreadsheet_check,
)

from .models import Entry
from .services import ImportRow

MAX_IMPORT_ROWS = 5000
MAX_IMPORT_BYTES = 10 * 1024 * 1024
IMPORT_COLUMNS = ("编号", "问题", "答复", "分类", "标签", "有效期至")
EXPORT_COLUMNS = IMPORT_COLUMNS + ("状态", "审核人", "审核时间", "来源", "版本")
REQUIRED = ("问题", "答复")
ALIASES = {
    "id": "编号", "序号编号": "编号", "条目编号": "编号",
    "提问": "问题", "问": "问题", "标题": "问题",
    "答案": "答复", "回答": "答复", "答": "答复", "答复口径": "答复",
    "类别": "分类", "类型": "分类",
    "关键词": "标签",
    "有效期": "有效期至", "有效期限": "有效期至", "有效至": "有效期至",
}
_DATE = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*$")


class KnowledgeFileError(ValueError):
    """The file as a whole cannot be read (not a workbook, no sheet, no header, too many rows)."""


def _header(value) -> str:
    text = re.sub(r"\s+", "", str(value or "")).strip("*＊:：").lower()
    return ALIASES.get(text, text)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _date(value) -> tuple[date | None, str]:
    if value in (None, ""):
        return None, ""
    if isinstance(value, datetime):
        return value.date(), ""
    if isinstance(value, date):
        return value, ""
    match = _DATE.match(str(value))
    if match:
        try:
            return date(int(match[1]), int(match[2]), int(match[3])), ""
        except ValueError:
            pass
    return None, _("“有效期至”无法识别：%(v)s（请写成 2020-03-31）") % {"v": str(value)[:20]}


def _entry_id(value) -> tuple[int | None, str]:
    text = _text(value)
    if not text:
        return None, ""
    if text.isdigit() and 0 < int(text) < 10**12:
        return int(text), ""
    return None, _("“编号”应是导出表格里的数字，新条目请留空（现在是：%(v)s）") % {"v": text[:20]}


def _table(cells: list[list]) -> tuple[dict[str, int], int, list[list]] | None:
    """Find the header row among the first rows: (column index by name, its row number, the rows below)."""
    for index, row in enumerate(cells[:5]):
        names = {_header(v): i for i, v in reversed(list(enumerate(row))) if _header(v)}
        if all(name in names for name in REQUIRED):
            return names, index + 1, cells[index + 1:]
    return None


def read_import(data: bytes) -> list[ImportRow]:
    """Rows of an import file, each with the problems found while reading it; KnowledgeFileError for the file.

    The file is parsed in a child process with memory and time limits (sanshe.core.uploads): a crafted
    workbook is refused with a message instead of taking the server down with it.
    """
    if not data:
        raise KnowledgeFileError(_("文件是空的，请重新选择。"))
    if len(data) > MAX_IMPORT_BYTES:
        raise KnowledgeFileError(_("文件太大（上限 10 MB）。请分成几个文件导入。"))
    if not data.startswith(b"PK"):
        raise KnowledgeFileError(_("文件不是 Excel 表格（.xlsx）。请用 Excel 或 WPS 打开后“另存为”.xlsx 再上传。"))
    try:
        return parse_untrusted(parse_import, data, SheetLimits.from_settings())
    except UntrustedFileError as exc:
        raise KnowledgeFileError(exc.message) from exc


def parse_import(data: bytes, limits: SheetLimits | None = None) -> list[ImportRow]:
    """What `read_import` does in the child process: check the workbook's size, then read its rows."""
    from python_calamine import CalamineError, CalamineWorkbook, PasswordError

    limits = limits or SheetLimits.from_settings()
    spreadsheet_check(data, limits)  # zip bombs and huge sheets, before any cell is read
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except PasswordError as exc:
        raise KnowledgeFileError(_("文件设置了打开密码，请在 Excel 中取消密码后再上传。")) from exc
    except (CalamineError, ValueError, OSError) as exc:
        raise KnowledgeFileError(_("文件无法作为 Excel 表格打开（可能已损坏，或是改了扩展名的其他文件）。"
                                   "请用 Excel 打开后“另存为”.xlsx 再上传。")) from exc
    with workbook:
        if not workbook.sheet_names:
            raise KnowledgeFileError(_("表格是空的：工作簿中没有工作表。"))
        found = None
        for name in workbook.sheet_names:
            try:
                cells = sheet_cells(workbook.get_sheet_by_name(name), limits)  # used range checked first
            except CalamineError as exc:
                raise KnowledgeFileError(_("工作表“%(s)s”无法读取，文件可能已损坏。") % {"s": name}) from exc
            found = _table(cells)
            if found:
                break
    if found is None:
        raise KnowledgeFileError(_("没有找到表头：第一行应包含“问题”和“答复”两列（可选：编号、分类、标签、有效期至）。"
                                   "请下载模板，或用导出的表格修改后再导入。"))
    columns, header_row, body = found
    rows: list[ImportRow] = []
    for offset, cells in enumerate(body):
        if not any(_text(v) for v in cells):
            continue
        number = header_row + offset + 1

        def cell(name: str, cells=cells):
            index = columns.get(name)
            return cells[index] if index is not None and index < len(cells) else None

        entry_id, id_problem = _entry_id(cell("编号"))
        valid_until, date_problem = _date(cell("有效期至"))
        rows.append(ImportRow(
            row=number, entry_id=entry_id, question=_text(cell("问题")), answer=_text(cell("答复")),
            category=_text(cell("分类")), tags=_text(cell("标签")), valid_until=valid_until,
            problems=tuple(p for p in (id_problem, date_problem) if p),
        ))
        if len(rows) > MAX_IMPORT_ROWS:
            raise KnowledgeFileError(_("一次最多导入 %(n)d 条，请分成几个文件。") % {"n": MAX_IMPORT_ROWS})
    return rows


# ---------------------------------------------------------------------------------------------- writing

_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="E6F4EE")
WIDTHS = (8, 36, 70, 10, 18, 12, 8, 10, 17, 24, 6)


def _cell(sheet, value, *, header: bool = False):
    cell = WriteOnlyCell(sheet, value=safe_text(value))
    if isinstance(cell.value, str):
        cell.data_type = "s"  # never a formula, whatever the text looks like
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    if header:
        cell.font, cell.fill = _HEADER_FONT, _HEADER_FILL
    return cell


def write_export(entries: Iterable[Entry], target: IO[bytes]) -> int:
    """Write the entries as .xlsx into `target`; returns how many rows were written."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("资源库"))
    for index, width in enumerate(WIDTHS):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    sheet.append([_cell(sheet, name, header=True) for name in EXPORT_COLUMNS])
    count = 0
    for entry in entries:
        reviewer = entry.reviewed_by.display_name or entry.reviewed_by.username if entry.reviewed_by_id else ""
        reviewed = timezone.localtime(entry.reviewed_at).strftime("%Y-%m-%d %H:%M") if entry.reviewed_at else ""
        source = entry.get_source_display() + (f" · {entry.source_label}" if entry.source_label else "")
        if entry.merged_into_id:
            source += _(" · 已合并到 %(id)d") % {"id": entry.merged_into_id}
        sheet.append([
            _cell(sheet, entry.pk), _cell(sheet, entry.question), _cell(sheet, entry.answer),
            _cell(sheet, entry.category.name if entry.category_id else ""),
            _cell(sheet, "、".join(t.name for t in entry.tags.all())),
            _cell(sheet, entry.valid_until.isoformat() if entry.valid_until else ""),
            _cell(sheet, entry.get_status_display()), _cell(sheet, reviewer), _cell(sheet, reviewed),
            _cell(sheet, source), _cell(sheet, entry.version),
        ])
        count += 1
    _instructions(workbook)
    workbook.save(target)
    return count


def write_template(target: IO[bytes]) -> None:
    """An empty import sheet with the columns, and a sheet explaining them."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("资源库"))
    for index, width in enumerate(WIDTHS[:len(IMPORT_COLUMNS)]):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    sheet.append([_cell(sheet, name, header=True) for name in IMPORT_COLUMNS])
    _instructions(workbook)
    workbook.save(target)


def _instructions(workbook: Workbook) -> None:
    sheet = workbook.create_sheet(_("填写说明"))
    sheet.column_dimensions["A"].width = 12
    sheet.column_dimensions["B"].width = 90
    lines = [
        ("编号", _("新条目留空；填导出表格里的编号则更新那一条（保留历史版本）。")),
        ("问题", _("必填，最多 200 字。请去掉人名、门牌号、电话等个人信息。")),
        ("答复", _("必填，最多 2000 字（一条群消息的长度）。")),
        ("分类", _("选填；发布时必填。须是系统中已有的分类，如：疫情科普、防护知识、政策解读、就医指引、心理支持、生活物资、其他。")),
        ("标签", _("选填，多个用顿号或逗号分隔，最多 8 个。")),
        ("有效期至", _("选填，如 2020-03-31；发布时不填则按分类的默认有效天数计算。")),
        (_("其他列"), _("状态、审核人等导出列在导入时忽略。整个文件有任何一行出错都不会导入，请按提示改正后重新上传。")),
    ]
    for name, text in lines:
        sheet.append([_cell(sheet, name, header=True), _cell(sheet, text)])
