"""python manage.py prune_checks: results older than CHECK_RETENTION_DAYS go."""

import pytest

from sources.models import BulkCheck, CheckResult
from tests.checks.helpers import run_command
from tests.factories import make_bulk_check, make_check_result

pytestmark = pytest.mark.django_db


def make_bulk(days_old, status=BulkCheck.Status.DONE):
    """A bulk check and its one result, both `days_old` days old."""
    bulk = make_bulk_check(days_old=days_old, status=status)
    make_check_result(days_old=days_old, bulk=bulk, line=1)
    return bulk


def test_it_deletes_checks_older_than_the_retention_period(settings):
    settings.CHECK_RETENTION_DAYS = 30
    old, recent = make_check_result(days_old=31), make_check_result(days_old=29)
    code, out, _ = run_command("prune_checks")
    assert code == 0
    assert out.strip() == (
        "Deleted 1 check(s) and 0 bulk check(s) with 0 result(s), and 0 message analysis(es)."
    )
    assert list(CheckResult.objects.values_list("pk", flat=True)) == [recent.pk]
    del old


def test_old_bulk_checks_go_with_their_results():
    old, recent = make_bulk(40), make_bulk(1)
    code, out, _ = run_command("prune_checks")
    assert "1 bulk check(s) with 1 result(s)" in out
    assert list(BulkCheck.objects.values_list("pk", flat=True)) == [recent.pk]
    assert CheckResult.objects.filter(bulk=old).count() == 0


def test_a_bulk_check_still_running_is_kept():
    running = make_bulk(40, status=BulkCheck.Status.RUNNING)
    run_command("prune_checks")
    assert BulkCheck.objects.filter(pk=running.pk).exists()


def test_days_can_be_given(settings):
    make_check_result(days_old=3)
    code, out, _ = run_command("prune_checks", "--days", "2")
    assert "Deleted 1 check(s)" in out
    assert run_command("prune_checks", "--days", "-1")[0] == 2
