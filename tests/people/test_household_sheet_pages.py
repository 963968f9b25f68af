"""Household sheet pages: permission matrix, upload → preview → import in the browser's shoes, downloads."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook
from python_calamine import CalamineWorkbook

from sanshe.people.models import ImportJob, ImportStatus, Person
from tests.people.household_sheet_files import bad_check_digit, household_sheet_id, person_row, xlsx_bytes

pytestmark = pytest.mark.django_db


def login(client, user):
    client.force_login(user)
    return client


def post_upload(client, community, data: bytes, name: str = "锦绣小区名册.xlsx", capture=None):
    url = reverse("people:household_sheet_import")
    if capture is None:
        return client.post(url, {"community": community.pk, "file": SimpleUploadedFile(name, data)})
    with capture(execute=True):
        return client.post(url, {"community": community.pk, "file": SimpleUploadedFile(name, data)})


@pytest.fixture
def job(world, community_worker):
    from sanshe.people.household_sheet_services import household_sheet_job_create

    return household_sheet_job_create(actor=community_worker, community_id=world.home.pk,
                             upload=SimpleUploadedFile("名册.xlsx", xlsx_bytes([person_row(1)])),
                             file_name="名册.xlsx", enqueue=False)


def job_urls(job_id: int) -> list[tuple[str, str]]:
    return [
        ("get", reverse("people:household_sheet_job", args=[job_id])),
        ("get", reverse("people:household_sheet_job_status", args=[job_id])),
        ("get", reverse("people:household_sheet_job_errors", args=[job_id])),
        ("post", reverse("people:household_sheet_job_start", args=[job_id])),
        ("post", reverse("people:household_sheet_job_cancel", args=[job_id])),
    ]


def test_anonymous_users_are_sent_to_login(client, job):
    for method, url in [("get", reverse("people:household_sheet_import")), ("get", reverse("people:household_sheet_template")),
                        ("get", reverse("people:household_sheet_export"))] + job_urls(job.pk):
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("accounts:login")), url


@pytest.mark.parametrize("persona", ["medic", "secretary", "counsellor", "resident", "social_worker"])
def test_roles_without_import_get_403(client, job, persona, request):
    login(client, request.getfixturevalue(persona))
    for method, url in [("get", reverse("people:household_sheet_import")), ("get", reverse("people:household_sheet_template"))] + \
            job_urls(job.pk):
        assert getattr(client, method)(url).status_code == 403, url


@pytest.mark.parametrize("persona", ["medic", "secretary", "counsellor", "resident"])
def test_roles_without_export_get_403(client, world, persona, request):
    login(client, request.getfixturevalue(persona))
    assert client.get(reverse("people:household_sheet_export")).status_code == 403
    assert client.post(reverse("people:household_sheet_export"), {}).status_code == 403


def test_another_communitys_job_is_404(client, job, outsider):
    login(client, outsider)
    for method, url in job_urls(job.pk) + [("get", reverse("people:household_sheet_job", args=[job.pk + 1000]))]:
        assert getattr(client, method)(url).status_code == 404, url
    job.refresh_from_db()
    assert job.status == ImportStatus.UPLOADED  # nothing happened to it


def test_upload_page_offers_only_communities_the_user_may_import_into(client, world, community_worker):
    login(client, community_worker)
    response = client.get(reverse("people:household_sheet_import"))
    assert response.status_code == 200
    choices = list(response.context["form"].fields["community"].queryset)
    assert choices == [world.home]
    assert reverse("people:household_sheet_template") in response.content.decode()
    # A forged choice of another community is refused on the form, with the typed file kept out of storage.
    response = post_upload(client, world.away, xlsx_bytes([person_row(1)]))
    assert response.status_code == 200
    assert "请选择您可以导入的社区" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_upload_refuses_a_pdf_with_a_chinese_reason(client, world, community_worker):
    login(client, community_worker)
    response = post_upload(client, world.home, b"%PDF-1.4", name="名册.pdf")
    assert response.status_code == 200
    assert "只能导入Excel表格" in response.content.decode()


def test_happy_path_upload_preview_import(client, world, community_worker, django_capture_on_commit_callbacks):
    login(client, community_worker)
    rows = [person_row(1, name="孙丽", building="5", unit="1", room="501"),
            person_row(2, name="孙强", building="5", unit="1", room="501", relation="丈夫"),
            person_row(3, name="坏号码", room="502")]
    rows[2][2] = bad_check_digit(rows[2][2])
    response = post_upload(client, world.home, xlsx_bytes(rows), capture=django_capture_on_commit_callbacks)
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("people:household_sheet_job", args=[job.pk])

    # The check ran (huey runs tasks at once in tests): the preview explains the bad row.
    page = client.get(response["Location"]).content.decode()
    assert "检查结果" in page
    assert "身份证号校验位错误，请核对" in page and ">4<" in page  # Excel row 4, the third data row
    assert "导入无误的 2 行" in page
    assert 'value="all_or_nothing" disabled' in page
    assert rows[2][2] not in page  # the typed ID is not echoed
    assert "将新建住户" in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("people:household_sheet_job_start", args=[job.pk]), {"mode": "valid_only"})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "导入完成" in page and 'hx-trigger="every' not in page
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE and job.imported_rows == 2 and not job.file

    sun = Person.objects.get(name="孙丽")
    assert (sun.building.name, sun.household.unit.name, sun.household.room) == ("5栋", "1单元", "501")
    assert sun.doc_number_masked == f"{household_sheet_id(1)[:6]}********{household_sheet_id(1)[-4:]}"
    assert sun.phone_masked == "139****0001"
    # The people list (another part's page) shows them masked, never in full.
    listing = client.get(reverse("people:person_list")).content.decode()
    assert "孙丽" in listing and "139****0001" in listing and "13900000001" not in listing


def test_the_status_fragment_polls_while_running_and_stops_when_checked(client, job, community_worker):
    login(client, community_worker)
    fragment = client.get(reverse("people:household_sheet_job_status", args=[job.pk]), HTTP_HX_REQUEST="true")
    body = fragment.content.decode()
    assert 'hx-trigger="every 1s"' in body and 'role="progressbar"' in body
    from sanshe.people.household_sheet_services import household_sheet_validate

    household_sheet_validate(actor=community_worker, job=job)
    body = client.get(reverse("people:household_sheet_job_status", args=[job.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every' not in body and "检查结果" in body


def test_progress_shows_while_importing(client, job, community_worker):
    from django.core.cache import cache

    from sanshe.people.household_sheet_services import progress_key

    login(client, community_worker)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.IMPORTING, mode="valid_only")
    cache.set(progress_key(job.pk), {"phase": "importing", "done": 1000, "total": 4000})
    body = client.get(reverse("people:household_sheet_job_status", args=[job.pk])).content.decode()
    assert 'aria-valuenow="25"' in body and "已写入 1000 / 4000 人" in body
    cache.set(progress_key(job.pk), {"phase": "validating", "done": 3000, "total": 4000})
    body = client.get(reverse("people:household_sheet_job_status", args=[job.pk])).content.decode()
    assert 'aria-valuenow="75"' in body and "复核 3000 / 4000 行" in body


def test_all_or_nothing_is_refused_on_a_file_with_errors(client, world, community_worker,
                                                         django_capture_on_commit_callbacks):
    login(client, community_worker)
    post_upload(client, world.home, xlsx_bytes([person_row(1, name="甲"), person_row(2, building="")]),
                capture=django_capture_on_commit_callbacks)
    job = ImportJob.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("people:household_sheet_job_start", args=[job.pk]), {"mode": "all_or_nothing"},
                               follow=True)
    assert "不能选择“全部无误才导入”" in response.content.decode()
    assert not Person.objects.filter(name="甲").exists()


def test_all_or_nothing_through_the_page(client, world, community_worker, django_capture_on_commit_callbacks):
    login(client, community_worker)
    post_upload(client, world.home, xlsx_bytes([person_row(1, name="甲"), person_row(2, name="乙")]),
                capture=django_capture_on_commit_callbacks)
    job = ImportJob.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("people:household_sheet_job_start", args=[job.pk]), {"mode": "all_or_nothing"})
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE and job.mode == "all_or_nothing"
    assert Person.objects.filter(name__in=["甲", "乙"]).count() == 2


def test_a_failed_check_is_explained_on_the_page(client, world, community_worker,
                                                 django_capture_on_commit_callbacks):
    login(client, community_worker)
    response = post_upload(client, world.home, "不是表格".encode(), name="名册.xlsx",
                           capture=django_capture_on_commit_callbacks)
    page = client.get(response["Location"]).content.decode()
    assert "未能导入" in page and "内容不是Excel表格" in page and "修改后重新上传" in page


def test_cancel_deletes_the_file(client, job, community_worker, django_capture_on_commit_callbacks):
    from sanshe.people.household_sheet_services import household_sheet_validate

    household_sheet_validate(actor=community_worker, job=job)
    job.refresh_from_db()
    storage, name = job.file.storage, job.file.name
    login(client, community_worker)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("people:household_sheet_job_cancel", args=[job.pk]), follow=True)
    assert "已取消导入，上传的文件已删除" in response.content.decode()
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED and not storage.exists(name)


def test_template_download_has_headers_example_and_instructions(client, world, community_worker):
    login(client, community_worker)
    response = client.get(reverse("people:household_sheet_template"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    data = b"".join(response.streaming_content)
    workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
    assert workbook.sheet_names == ["人员名册", "填写说明"]
    rows = workbook.get_sheet_by_index(0).to_python()
    assert rows[0] == ["姓名", "性别", "证件类型", "身份证号", "手机号", "小区", "楼栋", "单元", "房号",
                       "与户主关系", "人员类别", "详细地址"]
    assert rows[1][0] == "张三（示例）"
    # The ID column is text, so Excel keeps all 18 digits.
    sheet = load_workbook(io.BytesIO(data))["人员名册"]
    assert sheet["D3"].number_format == "@"
    # Uploading the untouched template is refused with a clear reason, not imported.
    from sanshe.people.household_sheet import read_household_sheet, validate_household_sheet

    result = validate_household_sheet(read_household_sheet(data, file_name="模板.xlsx"))
    assert [e.reason for e in result.errors] == ["这是模板中的示例行，请删除后再导入"]


def test_error_list_download(client, world, community_worker):
    from sanshe.people.household_sheet_services import household_sheet_job_create, household_sheet_validate

    rows = [person_row(1), person_row(2, phone="12")]
    job = household_sheet_job_create(actor=community_worker, community_id=world.home.pk,
                            upload=SimpleUploadedFile("名册.xlsx", xlsx_bytes(rows)), file_name="名册.xlsx",
                            enqueue=False)
    household_sheet_validate(actor=community_worker, job=job)
    login(client, community_worker)
    response = client.get(reverse("people:household_sheet_job_errors", args=[job.pk]))
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert [c.value for c in sheet[2]] == ["行号", "列", "问题"]
    assert [c.value for c in sheet[3]] == [3, "手机号", "手机号应为11位中国大陆手机号（1开头，第二位为3-9）"]


def test_building_steward_has_no_community_to_import_into(client, building_steward):
    login(client, building_steward)
    response = client.get(reverse("people:household_sheet_import"))
    assert response.status_code == 200
    assert "您目前没有可以导入名册的社区" in response.content.decode()


def test_a_job_that_never_moves_says_the_worker_may_be_down(client, job, community_worker):
    from datetime import timedelta

    from django.utils import timezone

    login(client, community_worker)
    body = client.get(reverse("people:household_sheet_job", args=[job.pk])).content.decode()
    assert "后台任务可能没有运行" not in body
    ImportJob.objects.filter(pk=job.pk).update(updated_at=timezone.now() - timedelta(minutes=11))
    body = client.get(reverse("people:household_sheet_job", args=[job.pk])).content.decode()
    assert "后台任务可能没有运行" in body


def test_the_old_roster_addresses_redirect_to_the_household_sheet_pages(client):
    """Bookmarks of the pages from before the rename ("roster" now means duty shifts) still land on them."""
    response = client.get("/people/roster/import/")
    assert response.status_code == 301 and response["Location"] == reverse("people:household_sheet_import")
    response = client.get("/people/roster/import/12/status/?x=1")
    assert response["Location"] == reverse("people:household_sheet_job_status", args=[12]) + "?x=1"
