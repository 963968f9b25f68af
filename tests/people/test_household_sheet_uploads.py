"""Hostile household sheet files fail their import job with a Chinese reason; the server process reading them survives.

On the original code (849a5d4) the first tests here did not fail politely: python-calamine, asked for the cells
from A1 to XFD1048576, tried to allocate hundreds of GB and aborted the whole test process (as it aborted the
server: HTTP, WebSockets and tasks in the single-process setup). Reaching the assertions at all is the point.
"""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from sanshe.people.household_sheet import HouseholdSheetFileError, read_household_sheet
from sanshe.people.household_sheet_services import household_sheet_job_create, household_sheet_validate
from sanshe.people.models import ImportJob, ImportStatus
from tests.core.crafted_files import far_cell_xlsx, two_corners_xlsx, zip_bomb_xlsx
from tests.people.household_sheet_files import person_row, xlsx_bytes

pytestmark = pytest.mark.django_db


def checked(actor, community, data: bytes) -> ImportJob:
    job = household_sheet_job_create(actor=actor, community_id=community.pk, upload=SimpleUploadedFile("名册.xlsx", data),
                            file_name="名册.xlsx", enqueue=False)
    return household_sheet_validate(actor=actor, job=job)


def test_a_5_kb_household_sheet_with_a_cell_at_xfd1048576_fails_its_job_with_a_clear_reason(world, community_worker):
    data = far_cell_xlsx()
    assert len(data) < 5 * 1024
    job = checked(community_worker, world.home, data)
    assert job.status == ImportStatus.FAILED
    assert "XFD1048576" in job.failure_reason and "删除多余的行和列" in job.failure_reason
    assert not job.file  # the refused file is deleted like any failed one


def test_the_far_cell_is_found_even_when_the_file_hides_its_dimension(world, community_worker):
    """Without a `<dimension>` the used range calamine reports is checked before any row is materialised."""
    job = checked(community_worker, world.home, far_cell_xlsx(dimension=None))
    assert job.status == ImportStatus.FAILED and "XFD1048576" in job.failure_reason


def test_a_dimension_that_lies_about_a_huge_range_is_a_clean_failure(world, community_worker):
    """Cells at A1 and XFD1048576 under `<dimension ref="A1">`: calamine's allocation fails in the child process
    (its memory limit), which comes back as a refusal instead of a dead server."""
    job = checked(community_worker, world.home, two_corners_xlsx(dimension="A1"))
    assert job.status == ImportStatus.FAILED and "内存超过了上限" in job.failure_reason


def test_a_zip_bomb_household_sheet_is_refused(world, community_worker):
    job = checked(community_worker, world.home, zip_bomb_xlsx())
    assert job.status == ImportStatus.FAILED and "压缩炸弹" in job.failure_reason


def test_reading_in_this_process_refuses_the_far_cell_too():
    with pytest.raises(HouseholdSheetFileError, match="XFD1048576"):
        read_household_sheet(far_cell_xlsx(dimension=None), file_name="名册.xlsx")


def test_an_ordinary_household_sheet_is_still_checked_through_the_child_process(world, community_worker):
    job = checked(community_worker, world.home, xlsx_bytes([person_row(1), person_row(2)]))
    assert job.status == ImportStatus.VALIDATED and (job.total_rows, job.valid_rows) == (2, 2)
