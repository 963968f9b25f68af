"""xlsx exports of the tools (openpyxl): masked (names, phones, addresses) and formula-safe."""

from __future__ import annotations

from io import BytesIO

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from sanshe.core.notify.services import masked_name
from sanshe.core.pii import mask_address, mask_phone
from sanshe.core.spreadsheets import safe_text
from sanshe.rules.needs import NEED_DOMAINS

from .forms import LABELS, SECTIONS
from .models import ConsultKind
from .summary import COLUMNS, DOMAIN_HIDDEN

WRAP = Alignment(wrap_text=True, vertical="top")
MASKED = {"client_name": masked_name, "client_phone": mask_phone, "emergency_contact_phone": mask_phone,
          "client_address": mask_address, "emergency_contact_name": masked_name}


def _cell(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "tzinfo"):
        return f"{timezone.localtime(value):%Y-%m-%d %H:%M}"
    return str(value)


def record_values(record) -> list[tuple[str, list[tuple[str, str]]]]:
    """(section, [(label, text)]) of a record in the paper form's order, masked — shared by print and xlsx."""
    from .forms import CLIENT, FIELDS

    labels = LABELS.get(record.kind, {})
    found = []
    for heading, names in SECTIONS[record.kind]:
        items = []
        for name in names:
            if name == "consultation_points":
                for i, point in enumerate(record.points, 1):
                    items.append((_("第%(n)d条") % {"n": i},
                                  f"{_('问')}：{point.get('q', '')}\n{_('答')}：{point.get('a', '')}"))
                continue
            if name == "service_points":
                items += [(f"{i}.", text) for i, text in enumerate(record.service_point_list, 1)]
                continue
            if name == "needs":
                # The paper form's checkboxes, one line per domain: 1.医疗：☑医疗诊断 ☐健康咨询 …
                chosen = set(record.needs or [])
                for number, (domain_label, needs) in enumerate(NEED_DOMAINS.values(), 1):
                    items.append((f"{number}.{domain_label}", " ".join(
                        f"{'☑' if code in chosen else '☐'}{label}" for code, label in needs.items())))
                continue
            label = str(labels.get(name) or (CLIENT.get(name) or FIELDS[name])().label)
            value = getattr(record, name)
            if name in MASKED:
                value = MASKED[name](value or "")
            elif name == "client_sex":
                value = record.get_client_sex_display() if value else ""
            elif name == "consult_kind":
                value = " ".join(f"{'☑' if code == value else '☐'}{label}" for code, label in ConsultKind.choices)
            elif name == "next_appointment":
                value = f"{'☑' if value is True else '☐'}{_('是')} {'☑' if value is False else '☐'}{_('否')}"
            items.append((label, _cell(value)))
        found.append((str(heading), items))
    return found


def write_record(record) -> BytesIO:
    book = Workbook()
    sheet = book.active
    sheet.title = _("实用工具%(tool)s") % {"tool": record.tool}
    sheet.column_dimensions["A"].width = 26
    sheet.column_dimensions["B"].width = 70
    sheet.append([safe_text(str(record.get_kind_display()))])
    sheet["A1"].font = Font(bold=True, size=14)
    head = [(_("编号"), record.number), (_("组别"), record.group.name if record.group else ""),
            (_("所属社区"), record.community.name), (_("记录人"), str(record.author)),
            (_("记录时间"), _cell(record.recorded_at)), (_("状态"), str(record.get_status_display()))]
    for label, value in head:
        sheet.append([safe_text(str(label)), safe_text(str(value))])
    for heading, items in record_values(record):
        sheet.append([])
        sheet.append([safe_text(heading)])
        sheet.cell(row=sheet.max_row, column=1).font = Font(bold=True)
        for label, value in items:
            sheet.append([safe_text(label), safe_text(value)])
            sheet.cell(row=sheet.max_row, column=2).alignment = WRAP
    handle = BytesIO()
    book.save(handle)
    handle.seek(0)
    return handle


def summary_cells(summary, row, domains: set[str]) -> list[str]:
    """One row's cells in the guide's column order; columns outside `domains` say who may see them."""
    cells = []
    for column in COLUMNS:
        if column.domain not in domains:
            cells.append(str(DOMAIN_HIDDEN[column.domain]))
            continue
        if column.field == "group_name":
            value = summary.group.name
        elif column.field == "confirmed":
            value = {True: _("是"), False: _("否")}.get(row.confirmed, _("未知"))
        elif column.field == "screenshots":
            count = len(row.screenshots.all())
            value = _("%(n)d张（见系统记录）") % {"n": count} if count else ""
        elif column.field == "request_date":
            value = f"{row.request_date:%Y-%m-%d}"
        else:
            value = getattr(row, column.field) or ""
        cells.append(str(value))
    return cells


def write_summary(summary, domains: set[str]) -> BytesIO:
    book = Workbook()
    sheet = book.active
    sheet.title = _("每日工作记录汇总表")
    sheet.append([safe_text(f"{_('每日工作记录汇总表')} {summary.group.name} {summary.day:%Y-%m-%d}"
                            f"（{summary.get_status_display()}）")])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([str(c.label) for c in COLUMNS])
    for cell in sheet[2]:
        cell.font = Font(bold=True)
        cell.alignment = WRAP
    name_index = [c.field for c in COLUMNS].index("client_name")
    for row in summary.rows.all():
        cells = summary_cells(summary, row, domains)
        cells[name_index] = masked_name(cells[name_index])
        sheet.append([safe_text(c) for c in cells])
        for cell in sheet[sheet.max_row]:
            cell.alignment = WRAP
    for index, column in enumerate(COLUMNS):
        sheet.column_dimensions[chr(ord("A") + index)].width = 30 if column.field.endswith("content") else 14
    handle = BytesIO()
    book.save(handle)
    handle.seek(0)
    return handle
