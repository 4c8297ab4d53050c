"""Edits made on the site survive import_catalog; export_catalog touches only what changed.

The database is the runtime source of truth: an approved proposal, then the
deploy step `import_catalog`, must leave the proposal in place, with both
revisions in the public history, and a file changed in the meantime is reported
as a conflict until --keep-db or --take-files settles it.
"""

import os
import shutil
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from sources.catalogfile import CATALOG_DIR, dump_vendor, validate_vendor
from sources.models import Revision, Vendor
from sources.permissions import ensure_moderators_group
from sources.services.catalog import current_data
from sources.services.submissions import submission_approve, submission_create
from tests.factories import make_user, vendor_data
from tests.submissions.helpers import SOURCES

pytestmark = pytest.mark.django_db

PM_SUMMARY = "Zendesk sends ticket notifications from your own domain."


def write_catalog(folder: Path, *vendors: dict) -> Path:
    folder.mkdir(exist_ok=True)
    shutil.copy(CATALOG_DIR / "categories.toml", folder / "categories.toml")
    for data in vendors:
        vendor = validate_vendor(data, source="test")
        (folder / f"{vendor['slug']}.toml").write_text(dump_vendor(vendor))
    return folder


def import_catalog(folder: Path, *flags: str):
    """Run the command as a deploy would: (exit status, stdout, stderr)."""
    out, err = _Capture(), _Capture()
    try:
        call_command("import_catalog", str(folder), *flags, stdout=out, stderr=err)
    except CommandError as exc:
        err.write(str(exc))
        return exc.returncode, out.text, err.text
    return 0, out.text, err.text


class _Capture:
    def __init__(self) -> None:
        self.text = ""

    def write(self, text: str) -> None:
        self.text += text + "\n"

    def flush(self) -> None:
        pass


@pytest.fixture
def people(db):
    pm = make_user("pm@zendesk.example")
    moderator = make_user("mod@directory.example", is_staff=True)
    moderator.groups.add(ensure_moderators_group())
    return pm, moderator


@pytest.fixture
def folder(tmp_path):
    return write_catalog(
        tmp_path / "catalog",
        vendor_data("zendesk", name="Zendesk", categories=["helpdesk"]),
        vendor_data("alpha"),
        vendor_data("beta"),
    )


def approve_pm_edit(people, **changes) -> Revision:
    """A PM's proposal, approved by a moderator, through the real services."""
    pm, moderator = people
    vendor = Vendor.objects.get(slug="zendesk")
    data = {**current_data(vendor), **changes}
    submission = submission_create(user=pm, data=data, provenance=SOURCES, vendor=vendor)
    return submission_approve(submission=submission, moderator=moderator)


def test_an_approved_edit_survives_the_next_import_and_both_revisions_are_public(
    client, folder, people
):
    assert import_catalog(folder)[0] == 0
    approve_pm_edit(people, summary=PM_SUMMARY)

    status, out, _ = import_catalog(folder)

    assert status == 0
    assert "1 kept as edited on the site" in out
    assert Vendor.objects.get(slug="zendesk").summary == PM_SUMMARY
    origins = list(
        Vendor.objects.get(slug="zendesk")
        .revisions.order_by("number")
        .values_list("number", "origin")
    )
    assert origins == [(1, "import"), (2, "moderation")]
    html = client.get("/vendors/zendesk/history/").content.decode()
    assert "Catalog file import" in html and "Imported from zendesk.toml" in html
    assert "Approved submission" in html and "Proposed changes approved" in html


def test_a_file_changed_after_an_approved_edit_is_a_conflict_reported_per_field(folder, people):
    import_catalog(folder)
    approve_pm_edit(people, summary=PM_SUMMARY)
    write_catalog(
        folder,
        vendor_data(
            "zendesk",
            name="Zendesk",
            categories=["helpdesk"],
            summary="Helpdesk mail.",
            description="Rewritten in the repository.",
        ),
        vendor_data("alpha", summary="Alpha changed in its file only."),
    )

    status, out, err = import_catalog(folder)

    assert status == 1
    assert "1 in conflict" in out and "1 updated" in out
    assert "zendesk (zendesk.toml): changed on the site and in its file" in err
    assert f"Summary: site '{PM_SUMMARY}', file 'Helpdesk mail.'" in err
    assert "Description: site 'Sends receipts and password resets.', file 'Rewritten" in err
    assert "--keep-db" in err and "--take-files" in err
    zendesk = Vendor.objects.get(slug="zendesk")
    assert (zendesk.summary, zendesk.description) == (
        PM_SUMMARY,
        "Sends receipts and password resets.",
    )
    # The entry without site edits took its file, recorded as an import revision.
    assert Vendor.objects.get(slug="alpha").summary == "Alpha changed in its file only."
    assert Vendor.objects.get(slug="alpha").revisions.latest("number").origin == "import"


def test_keep_db_settles_the_conflict_for_the_site(folder, people):
    import_catalog(folder)
    approve_pm_edit(people, summary=PM_SUMMARY)
    write_catalog(folder, vendor_data("zendesk", name="Zendesk", categories=["helpdesk"]))
    (folder / "zendesk.toml").write_text(
        (folder / "zendesk.toml").read_text().replace("password resets", "password links")
    )
    assert import_catalog(folder)[0] == 1

    status, out, _ = import_catalog(folder, "--keep-db")

    assert status == 0 and "1 conflicts settled for the site" in out
    zendesk = Vendor.objects.get(slug="zendesk")
    assert zendesk.summary == PM_SUMMARY
    assert zendesk.description == "Sends receipts and password resets."
    assert zendesk.revisions.count() == 2  # nothing changed, nothing recorded
    # Settled: the same files no longer conflict.
    status, out, _ = import_catalog(folder)
    assert status == 0 and "1 kept as edited on the site" in out


def test_take_files_settles_the_conflict_for_the_files_as_a_new_revision(client, folder, people):
    import_catalog(folder)
    approve_pm_edit(people, summary=PM_SUMMARY)
    write_catalog(
        folder,
        vendor_data("zendesk", name="Zendesk", categories=["helpdesk"], summary="From file."),
    )

    status, out, _ = import_catalog(folder, "--take-files")

    assert status == 0 and "1 conflicts settled for the files" in out
    zendesk = Vendor.objects.get(slug="zendesk")
    assert zendesk.summary == "From file."
    latest = zendesk.revisions.latest("number")
    assert (latest.number, latest.origin) == (3, "import")
    assert [c["label"] for c in latest.changes] == ["Summary"]
    # The PM's version stays in the history, restorable.
    html = client.get("/vendors/zendesk/history/").content.decode()
    assert "Replaced by zendesk.toml" in html and PM_SUMMARY in html


def test_exporting_the_edit_brings_the_files_up_to_date_without_a_conflict(folder, people):
    import_catalog(folder)
    approve_pm_edit(people, summary=PM_SUMMARY)
    call_command("export_catalog", str(folder))
    assert PM_SUMMARY in (folder / "zendesk.toml").read_text()

    status, out, _ = import_catalog(folder)

    assert status == 0 and "0 updated, 3 unchanged" in out
    assert Vendor.objects.get(slug="zendesk").revisions.count() == 2


def test_an_entry_imported_before_imports_were_remembered_follows_its_file_until_edited(
    folder, people
):
    import_catalog(folder)
    Vendor.objects.update(imported_data=None)
    Revision.objects.all().delete()  # as the entries were before this history existed
    write_catalog(folder, vendor_data("alpha", summary="New alpha."))
    assert import_catalog(folder)[0] == 0
    assert Vendor.objects.get(slug="alpha").summary == "New alpha."

    approve_pm_edit(people, summary=PM_SUMMARY)
    Vendor.objects.filter(slug="zendesk").update(imported_data=None)
    write_catalog(folder, vendor_data("zendesk", name="Zendesk", categories=["helpdesk"]))
    (folder / "zendesk.toml").write_text(
        (folder / "zendesk.toml").read_text().replace("password resets", "password links")
    )
    status, _, err = import_catalog(folder)
    assert status == 1 and "zendesk (zendesk.toml)" in err
    assert Vendor.objects.get(slug="zendesk").summary == PM_SUMMARY


def mtimes_and_bytes(folder: Path) -> dict[str, tuple[int, bytes]]:
    return {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in sorted(folder.iterdir())}


def age_files(folder: Path) -> None:
    """Back-date every file, so that a rewrite (even of the same bytes) shows in its mtime."""
    for path in folder.iterdir():
        os.utime(path, ns=(1_000_000_000, 1_000_000_000))


def test_exporting_an_unchanged_database_rewrites_nothing(folder, tmp_path):
    import_catalog(folder)
    out = tmp_path / "export"
    call_command("export_catalog", str(out))
    age_files(out)
    before = mtimes_and_bytes(out)

    call_command("export_catalog", str(out))

    assert mtimes_and_bytes(out) == before
    assert len(before) == 4  # three vendors and the categories


def test_export_after_one_approved_edit_changes_exactly_one_file(folder, people, tmp_path, capsys):
    import_catalog(folder)
    out = tmp_path / "export"
    call_command("export_catalog", str(out))
    age_files(out)
    before = mtimes_and_bytes(out)
    approve_pm_edit(people, summary=PM_SUMMARY)
    capsys.readouterr()

    call_command("export_catalog", str(out))

    after = mtimes_and_bytes(out)
    assert [name for name in before if before[name] != after[name]] == ["zendesk.toml"]
    assert PM_SUMMARY.encode() in after["zendesk.toml"][1]
    assert "1 files written, 3 unchanged" in capsys.readouterr().out


def test_updated_since_returns_only_entries_whose_content_changed(client, folder, people):
    import_catalog(folder)
    mark = timezone.now()
    import_catalog(folder)  # the deploy step again: nothing changed
    approve_pm_edit(people, summary=PM_SUMMARY)
    import_catalog(folder)  # keeps the edit, changes nothing else

    response = client.get("/api/v1/vendors", {"updated_since": mark.isoformat()})

    assert [v["slug"] for v in response.json()["results"]] == ["zendesk"]
    everything = client.get("/api/v1/vendors", {"updated_since": "2000-01-01"}).json()
    assert everything["count"] == 3
