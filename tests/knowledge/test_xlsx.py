"""Import and export as xlsx: all or nothing, Chinese errors for bad files and rows, formula-safe cells."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from sanshe.knowledge import selectors, services, xlsx
from sanshe.knowledge.models import Entry, EntryStatus

from .conftest import publish

pytestmark = pytest.mark.django_db


def workbook(rows: list[list], header=("问题", "答复", "分类", "标签", "有效期至")) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(list(header))
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_a_good_file_imports_every_row_published_under_the_importer(world, categories, social_worker):
    first, second = timezone.localdate() + timedelta(days=100), timezone.localdate() + timedelta(days=200)
    data = workbook([["口罩多久换一次？", "4小时左右。", "防护知识", "口罩、更换", first],
                     ["怎么买菜？", "社区团购。", "生活物资", "", f"{second.year}/{second.month}/{second.day}"]])
    result = services.entries_import(actor=social_worker, rows=xlsx.read_import(data), publish=True)
    assert (result.created, result.updated) == (2, 0)
    entries = {e.question: e for e in Entry.objects.all()}
    assert entries["口罩多久换一次？"].valid_until == first
    assert entries["怎么买菜？"].valid_until == second
    assert all(e.status == EntryStatus.PUBLISHED and e.reviewed_by == social_worker for e in entries.values())
    assert sorted(entries["口罩多久换一次？"].tag_names) == ["口罩", "更换"]
    assert [h.entry.question for h in selectors.suggest_answers(text="口罩多久换一次")] == ["口罩多久换一次？"]


def test_one_bad_row_imports_nothing_and_every_problem_is_listed(world, categories, social_worker):
    data = workbook([["口罩多久换一次？", "4小时左右。", "防护知识", "", ""],
                     ["", "没有问题的答复", "防护知识", "", ""],
                     ["问题", "字" * 2001, "不存在的分类", "", ""],
                     ["问题二", "答复", "其他", "", "明年春天"]])
    with pytest.raises(services.ImportProblems) as error:
        services.entries_import(actor=social_worker, rows=xlsx.read_import(data), publish=False)
    assert error.value.problems == [
        "第 3 行：请填写问题。",
        "第 4 行：答复最多 2000 字（现在 2001 字）：群里一条消息发不下，请精简，或拆成几个问题。",
        "第 5 行：“有效期至”无法识别：明年春天（请写成 2020-03-31）",
    ]
    assert not Entry.objects.exists()


def test_unknown_category_is_named_with_the_choices(world, categories, social_worker):
    data = workbook([["问题", "答复", "防疫", "", ""]])
    with pytest.raises(services.ImportProblems) as error:
        services.entries_import(actor=social_worker, rows=xlsx.read_import(data), publish=False)
    assert error.value.problems[0].startswith("第 2 行：分类“防疫”不存在（可用：疫情科普、辟谣、防护知识")


@pytest.mark.parametrize("data, message", [
    (b"", "文件是空的"),
    (b"question,answer\n1,2\n", "文件不是 Excel 表格（.xlsx）"),
    (b"PK\x03\x04 not really a zip file", "文件无法作为 Excel 表格打开"),
])
def test_malformed_files_get_a_clear_message(data, message):
    with pytest.raises(xlsx.KnowledgeFileError) as error:
        xlsx.read_import(data)
    assert message in str(error.value)


def test_a_sheet_without_the_required_columns_says_which(world):
    with pytest.raises(xlsx.KnowledgeFileError) as error:
        xlsx.read_import(workbook([["a", "b"]], header=("标题一", "内容")))
    assert "第一行应包含“问题”和“答复”两列" in str(error.value)


def test_export_is_formula_safe_and_imports_back_as_updates(world, categories, social_worker):
    entry = publish(social_worker, categories["其他"], "=HYPERLINK(\"http://x\")", "@SUM(A1) 与 +1 -1", tags="测试")
    buffer = io.BytesIO()
    assert xlsx.write_export(selectors.export_entries(actor=social_worker), buffer) == 1
    sheet = load_workbook(io.BytesIO(buffer.getvalue())).worksheets[0]
    header = [c.value for c in sheet[1]]
    row = [c.value for c in sheet[2]]
    assert header[:6] == ["编号", "问题", "答复", "分类", "标签", "有效期至"]
    assert row[1] == "'=HYPERLINK(\"http://x\")" and row[2] == "'@SUM(A1) 与 +1 -1"
    assert all(c.data_type != "f" for c in sheet[2])
    # Edit the exported file and bring it back: the same entry gets a new version, not a copy.
    book = load_workbook(io.BytesIO(buffer.getvalue()))
    book.worksheets[0]["B2"] = "导出后修改的问题"
    book.worksheets[0]["F2"] = (timezone.localdate() + timedelta(days=10)).isoformat()
    edited = io.BytesIO()
    book.save(edited)
    result = services.entries_import(actor=social_worker, rows=xlsx.read_import(edited.getvalue()), publish=True)
    assert (result.created, result.updated) == (0, 1)
    entry.refresh_from_db()
    assert entry.question == "导出后修改的问题" and entry.version == 3
    assert entry.versions.first().action == "imported"


def test_only_social_workers_import(world, categories, medic, org_admin):
    from django.core.exceptions import PermissionDenied

    rows = xlsx.read_import(workbook([["问题", "答复", "其他", "", ""]]))
    for user in (medic, org_admin):
        with pytest.raises(PermissionDenied):
            services.entries_import(actor=user, rows=rows, publish=False)


def test_a_5_kb_workbook_with_a_cell_at_xfd1048576_is_refused_with_a_clear_message(client, world, categories,
                                                                                 social_worker):
    """On the original code the import page read this file inline in the request and calamine's allocation of
    hundreds of GB aborted the server (here: the test process). Now it is refused, and nothing is imported."""
    from tests.core.crafted_files import far_cell_xlsx, two_corners_xlsx

    before = Entry.objects.count()
    client.force_login(social_worker)
    for data in (far_cell_xlsx(), far_cell_xlsx(dimension=None)):
        response = client.post("/knowledge/import/", {"file": SimpleUploadedFile("资源库.xlsx", data)})
        assert response.status_code == 200
        assert "XFD1048576" in response.content.decode()
    with pytest.raises(xlsx.KnowledgeFileError, match="内存超过了上限"):
        xlsx.read_import(two_corners_xlsx(dimension="A1"))
    assert Entry.objects.count() == before


def test_a_zip_bomb_workbook_is_refused(world):
    from tests.core.crafted_files import zip_bomb_xlsx

    with pytest.raises(xlsx.KnowledgeFileError, match="压缩炸弹"):
        xlsx.read_import(zip_bomb_xlsx())
