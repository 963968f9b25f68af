"""Household sheet import services: check, de-duplicate, import valid rows or all-or-nothing, audit, clean up."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.models import Count
from django.utils import timezone

from sanshe.core.errors import ActionForbidden, ObjectNotFound
from sanshe.core.models import AuditEvent
from sanshe.people.household_sheet_services import (
    household_sheet_files_purge,
    household_sheet_import,
    household_sheet_import_start,
    household_sheet_job_create,
    household_sheet_validate,
)
from sanshe.people.models import ImportJob, ImportMode, ImportStatus, Person
from sanshe.places.models import Building, Compound, Household, Unit
from tests.people.household_sheet_files import bad_check_digit, household_sheet_id, person_row, xlsx_bytes

pytestmark = pytest.mark.django_db


def upload(actor, community, data: bytes, name: str = "锦绣小区名册.xlsx") -> ImportJob:
    return household_sheet_job_create(actor=actor, community_id=community.pk, upload=SimpleUploadedFile(name, data),
                             file_name=name, enqueue=False)


def checked(actor, community, rows, **kwargs) -> ImportJob:
    return household_sheet_validate(actor=actor, job=upload(actor, community, xlsx_bytes(rows, **kwargs)))


def test_validate_is_a_dry_run_with_counts_errors_and_new_places(world, community_worker):
    before = Person.objects.count()
    rows = [person_row(1, building="1栋", unit="1单元", room="101"), person_row(2, building="9栋", room="901"),
            person_row(3, building="")]
    job = checked(community_worker, world.home, rows)
    assert job.status == ImportStatus.VALIDATED
    assert (job.total_rows, job.valid_rows, job.error_rows, job.error_count) == (3, 2, 1, 1)
    assert job.errors == [{"row": 4, "column": "楼栋", "reason": "楼栋未填写"}]
    assert job.summary["new"] == {"compounds": 0, "compound_names": [], "buildings": 1, "units": 1, "households": 1}
    assert Person.objects.count() == before
    assert job.file  # kept until the user decides


def test_a_person_already_registered_is_a_duplicate_not_reimported(world, community_worker):
    row = person_row(1)
    row[0], row[1], row[2] = "王芳", "女", world.spouse.doc_number
    job = checked(community_worker, world.home, [row, person_row(2)])
    assert job.errors == [{"row": 2, "column": "身份证号", "reason": "重复人员：该证件号码已登记，本次不重复导入"}]
    job = household_sheet_import(actor=community_worker, job=job, mode=ImportMode.VALID_ONLY)
    assert job.status == ImportStatus.DONE and job.imported_rows == 1
    assert Person.objects.filter(doc_index=world.spouse.doc_index).count() == 1


def test_valid_only_imports_the_good_rows_into_the_places_tree(world, community_worker):
    rows = [
        person_row(1, name="周杰", building="1栋", unit="1单元", room="101", relation="子"),
        person_row(2, name="吴敏", building="12", unit="3", room="1203", relation="户主"),
        person_row(3, name="吴刚", building="12", unit="3", room="1203", relation="配偶"),
        person_row(4, name="郑新", compound="翡翠湾", building="2栋", room="201"),
    ]
    rows.append(person_row(5, name="坏行"))
    rows[-1][2] = bad_check_digit(rows[-1][2])
    job = checked(community_worker, world.home, rows)
    job = household_sheet_import(actor=community_worker, job=job, mode=ImportMode.VALID_ONLY)

    assert job.status == ImportStatus.DONE
    assert (job.imported_rows, job.error_rows) == (4, 1)
    assert job.summary["created"] == {"compounds": 1, "buildings": 2, "units": 2, "households": 2, "people": 4}
    zhou = Person.objects.get(name="周杰")
    assert zhou.household == world.household  # the existing 1栋-1单元-101
    assert zhou.relation == "child" and not zhou.is_representative
    wu = Person.objects.get(name="吴敏")
    building = Building.objects.get(compound=world.compound, name="12栋")
    assert building.sort_key == 12 and building.community == world.home
    assert (wu.household.unit.name, wu.household.room, wu.building, wu.compound) == (
        "3单元", "1203", building, world.compound)
    assert wu.is_representative  # the head represents a new household
    assert not Person.objects.get(name="吴刚").is_representative
    assert Compound.objects.filter(community=world.home, name="翡翠湾").exists()
    assert not Person.objects.filter(name="坏行").exists()
    # Derived as person_normalise derives them.
    assert wu.birth_date.isoformat() == "1985-03-15" and wu.sex in {"M", "F"}
    assert (wu.name_pinyin, wu.name_initials) == ("wumin", "wm")
    assert wu.doc_number == household_sheet_id(2) and wu.phone == "13900000002"
    assert wu.doc_number_masked == household_sheet_id(2)[:6] + "********" + household_sheet_id(2)[-4:]
    assert wu.phone_masked == "139****0002"


def test_id_and_phone_are_encrypted_at_rest(world, community_worker):
    job = checked(community_worker, world.home, [person_row(1, name="加密测试", room="808")])
    household_sheet_import(actor=community_worker, job=job, mode=ImportMode.VALID_ONLY)
    person = Person.objects.get(name="加密测试")
    with connection.cursor() as cursor:
        cursor.execute("SELECT doc_number, phone FROM people_person WHERE id = %s", [person.pk])
        raw_doc, raw_phone = cursor.fetchone()
    assert household_sheet_id(1) not in raw_doc and "13900000001" not in raw_phone
    assert raw_doc.startswith("gAAAAA")  # a Fernet token
    assert person.doc_number == household_sheet_id(1)


def test_children_under_14_are_flagged(world, community_worker):
    today = timezone.localdate()
    from tests.people.household_sheet_files import sex_of

    number = household_sheet_id(1, birth=f"{today.year - 5}0101")
    row = ["小宝", sex_of(number), number, "", "锦绣小区", "1栋", "1单元", "102", "儿子"]
    job = checked(community_worker, world.home, [row])
    household_sheet_import(actor=community_worker, job=job, mode=ImportMode.VALID_ONLY)
    child = Person.objects.get(name="小宝")
    assert child.child_under_14 and child.phone is None


def test_all_or_nothing_cannot_be_chosen_when_there_are_errors(world, community_worker):
    rows = [person_row(1), person_row(2, building="")]
    job = checked(community_worker, world.home, rows)
    with pytest.raises(ValidationError, match="全部无误才导入"):
        household_sheet_import_start(actor=community_worker, job=job, mode=ImportMode.ALL_OR_NOTHING)
    job.refresh_from_db()
    assert job.status == ImportStatus.VALIDATED


def test_all_or_nothing_imports_nothing_when_the_recheck_finds_a_problem(world, community_worker):
    rows = [person_row(1, name="甲"), person_row(2, name="乙")]
    job = checked(community_worker, world.home, rows)
    assert job.error_count == 0
    # Between the preview and the import someone registers 乙 by hand.
    from tests.factories import PersonFactory

    PersonFactory(household=world.household2, name="乙", doc_number=household_sheet_id(2))
    job = household_sheet_import(actor=community_worker, job=job, mode=ImportMode.ALL_OR_NOTHING)
    assert job.status == ImportStatus.FAILED
    assert "没有导入任何人员" in job.failure_reason
    assert job.errors == [{"row": 3, "column": "身份证号", "reason": "重复人员：该证件号码已登记，本次不重复导入"}]
    assert not Person.objects.filter(name="甲").exists()
    assert not job.file  # the file is gone either way


def test_all_or_nothing_imports_everything_when_clean(world, community_worker):
    job = checked(community_worker, world.home, [person_row(i, name=f"居民{i}", room=str(300 + i)) for i in range(5)])
    job = household_sheet_import(actor=community_worker, job=job, mode=ImportMode.ALL_OR_NOTHING)
    assert job.status == ImportStatus.DONE and job.imported_rows == 5
    assert Person.objects.filter(name__startswith="居民").count() == 5


def test_import_audit_event_has_counts_only(world, community_worker):
    rows = [person_row(1, name="审计甲"), person_row(2, building="")]
    job = checked(community_worker, world.home, rows)
    household_sheet_import(actor=community_worker, job=job, mode=ImportMode.VALID_ONLY)
    event = AuditEvent.objects.get(action="household_sheet.import")
    assert event.actor == community_worker and event.community_id == world.home.pk
    assert event.detail == {"mode": "valid_only", "rows": 2, "imported": 1, "error_rows": 1, "compounds": 0,
                            "buildings": 0, "units": 0, "households": 0}
    stored = str(event.detail) + str(ImportJob.objects.get(pk=job.pk).errors)
    assert household_sheet_id(1) not in stored and "13900000001" not in stored and "审计甲" not in stored


def test_the_uploaded_file_is_deleted_after_import(world, community_worker):
    job = checked(community_worker, world.home, [person_row(1)])
    storage, name = job.file.storage, job.file.name
    assert name.startswith("private/roster/") and "锦绣" not in name
    assert storage.exists(name)
    job = household_sheet_import(actor=community_worker, job=job, mode=ImportMode.VALID_ONLY)
    assert not storage.exists(name) and not job.file


def test_progress_is_reported_per_phase(world, community_worker):
    seen = []
    job = upload(community_worker, world.home, xlsx_bytes([person_row(i, room=str(i)) for i in range(3)]))
    household_sheet_validate(actor=community_worker, job=job, progress=lambda *a: seen.append(a))
    assert seen[0] == ("reading", 0, 0) and seen[-1] == ("validating", 3, 3)
    seen.clear()
    household_sheet_import(actor=community_worker, job=job, mode=ImportMode.VALID_ONLY, progress=lambda *a: seen.append(a))
    assert ("importing", 3, 3) == seen[-1]


def test_a_file_problem_fails_the_check_with_the_reason(world, community_worker):
    job = household_sheet_validate(actor=community_worker,
                          job=upload(community_worker, world.home, b"not a spreadsheet", "名册.xlsx"))
    assert job.status == ImportStatus.FAILED
    assert "内容不是Excel表格" in job.failure_reason
    assert job.errors[0]["row"] is None and not job.file


def test_an_import_runs_once_whatever_the_clicks(world, community_worker):
    job = checked(community_worker, world.home, [person_row(1, name="只一次")])
    household_sheet_import_start(actor=community_worker, job=job, mode=ImportMode.VALID_ONLY)
    with pytest.raises(ValidationError, match="已经开始导入"):
        household_sheet_import_start(actor=community_worker, job=job, mode=ImportMode.VALID_ONLY)
    household_sheet_import(actor=community_worker, job=job, mode=ImportMode.VALID_ONLY)
    household_sheet_import(actor=community_worker, job=job, mode=ImportMode.VALID_ONLY)
    assert Person.objects.filter(name="只一次").count() == 1


def test_scope_upload_and_jobs_of_another_community(world, community_worker, outsider, medic):
    with pytest.raises(ObjectNotFound):
        upload(community_worker, world.away, xlsx_bytes([person_row(1)]))
    with pytest.raises(ActionForbidden):
        upload(medic, world.home, xlsx_bytes([person_row(1)]))
    job = upload(community_worker, world.home, xlsx_bytes([person_row(1)]))
    with pytest.raises(ObjectNotFound):
        household_sheet_validate(actor=outsider, job=job)


def test_upload_refuses_wrong_kinds_and_oversized_files(world, community_worker, settings):
    with pytest.raises(ValidationError, match="只能导入Excel表格"):
        upload(community_worker, world.home, b"%PDF-1.4", "名册.pdf")
    settings.HOUSEHOLD_SHEET_MAX_UPLOAD_BYTES = 100
    with pytest.raises(ValidationError, match="文件太大"):
        upload(community_worker, world.home, xlsx_bytes([person_row(1)]))


def test_forgotten_uploads_are_deleted_after_a_day(world, community_worker):
    job = checked(community_worker, world.home, [person_row(1)])
    storage, name = job.file.storage, job.file.name
    assert household_sheet_files_purge() == 0 and storage.exists(name)
    assert household_sheet_files_purge(now=timezone.now() + timedelta(hours=25)) == 1
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED and not job.file and not storage.exists(name)
    assert "超过24小时" in job.failure_reason


@pytest.mark.slow
def test_fifty_thousand_rows(world, org_admin):
    """A compound-sized district household sheet: 50,000 rows, a few bad ones, imported in one go."""
    rows = []
    for i in range(50_000):
        birth = f"19{40 + i % 60:02d}{i % 12 + 1:02d}{i % 28 + 1:02d}"
        number = household_sheet_id(i // 1000 * 7 + i % 7, birth=birth, region=f"{310101 + i % 1000}")
        rows.append([f"居民{i}", "", number, f"137{i:08d}", "五万小区", f"{i // 400 + 1}栋", f"{i // 100 % 4 + 1}单元",
                     f"{i % 100 // 3 + 101}", "户主" if i % 3 == 0 else "子女"])
    rows[10][3] = "12345"  # a bad phone
    rows[20][5] = ""  # a missing building
    job = checked(org_admin, world.home, rows)
    assert (job.total_rows, job.valid_rows, job.error_rows) == (50_000, 49_998, 2)
    job = household_sheet_import(actor=org_admin, job=job, mode=ImportMode.VALID_ONLY)
    assert job.status == ImportStatus.DONE and job.imported_rows == 49_998
    compound = Compound.objects.get(community=world.home, name="五万小区")
    assert Person.objects.filter(compound=compound).count() == 49_998
    assert Building.objects.filter(compound=compound).count() == 125
    assert Unit.objects.filter(building__compound=compound).count() == 500
    assert Household.objects.filter(compound=compound).count() == 125 * 4 * 34
    # One representative (a head) per household at most.
    per_household = (Person.objects.filter(compound=compound, is_representative=True).values("household")
                     .annotate(n=Count("id")))
    assert per_household.count() > 16_000 and not per_household.filter(n__gt=1).exists()
    assert Person.objects.get(name="居民49999").phone == "13700049999"
