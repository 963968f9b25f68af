"""Tool 5 (个案管理跟进表) as an xlsx workbook: the guide's layout, masked, formula-safe."""

from __future__ import annotations

from io import BytesIO

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side

from sanshe.core.pii import birth_year
from sanshe.core.spreadsheets import safe_text

_THIN = Side(style="thin", color="888888")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


def person_age(person) -> str:
    """The guide's 年龄 cell: the birth year only ("1949年生"), the masking rule of sanshe.core.pii (an age in
    full years, read on different days, would give the birthday back)."""
    year = birth_year(person.birth_date)
    return _("%(year)s年生") % {"year": year} if year else ""


def _entries(entries) -> tuple[str, str]:
    content = "\n".join(e.content for e in entries)
    who = "\n".join(f"{e.responsible_name} {e.contact_masked}".strip() for e in entries)
    return content, who


def case_workbook(case, rows: list[dict], *, parts: frozenset[str] | None = None) -> bytes:
    """The workbook; `parts` are the parts the reader may see (the rows hold only those), None for all."""
    person = case.person
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("个案管理跟进表")
    put = sheet.cell
    put(1, 1, _("个案管理跟进表")).font = Font(bold=True, size=14)
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=8)
    put(1, 1).alignment = Alignment(horizontal="center")
    put(2, 1, _("组别：") + safe_text(case.get_tier_display() if case.tier else "—"))
    put(2, 5, _("个案编号：") + case.number)
    if parts is not None and len(parts) < 3:
        put(2, 8, _("仅含您负责的部分"))
    header = [
        (_("案主姓名"), person.name, _("性别"), person.get_sex_display(), _("年龄"), person_age(person)),
        (_("居住地址"), person.address_masked, _("联系电话"), person.phone_masked, "", ""),
        (_("接案社工"), str(case.intake_by or ""), _("联系电话"),
         case.intake_by.phone_masked if case.intake_by else "", _("负责社工"), str(case.owner)),
    ]
    row_number = 3
    for values in header:
        for column, value in enumerate(values, start=1):
            cell = put(row_number, column, safe_text(value))
            cell.border = _BOX
        row_number += 1
    row_number += 1
    titles = [_("日期"), _("医疗·内容"), _("医疗·负责人及联系方式"), _("心理·内容"), _("心理·负责人及联系方式"),
              _("其他·内容"), _("其他·负责人及联系方式"), _("负责社工")]
    for column, title in enumerate(titles, start=1):
        cell = put(row_number, column, title)
        cell.font, cell.border = Font(bold=True), _BOX
    for row in rows:
        row_number += 1
        values = [row["date"].isoformat()]
        for part in ("medical", "psychological", "other"):
            values.extend(_entries(row[part]))
        values.append(str(case.owner))
        for column, value in enumerate(values, start=1):
            cell = put(row_number, column, safe_text(value))
            cell.border = _BOX
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for letter, width in zip("ABCDEFGH", (12, 30, 18, 30, 18, 30, 18, 12), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = "landscape"
    handle = BytesIO()
    workbook.save(handle)
    return handle.getvalue()
