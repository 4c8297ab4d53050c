"""import_catalog / export_catalog: idempotent, atomic, round-trip lossless."""

import shutil
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from sources.catalogfile import CATALOG_DIR, dump_vendor, validate_vendor
from sources.models import Vendor
from tests.factories import vendor_data

pytestmark = pytest.mark.django_db


def write_catalog(folder: Path, *vendors: dict) -> Path:
    folder.mkdir(exist_ok=True)
    shutil.copy(CATALOG_DIR / "categories.toml", folder / "categories.toml")
    for data in vendors:
        vendor = validate_vendor(data, source="test")
        (folder / f"{vendor['slug']}.toml").write_text(dump_vendor(vendor))
    return folder


def test_the_shipped_catalog_imports_and_round_trips_byte_for_byte(tmp_path):
    call_command("import_catalog")
    first, second = tmp_path / "first", tmp_path / "second"
    call_command("export_catalog", str(first))
    Vendor.objects.all().delete()
    call_command("import_catalog", str(first))
    call_command("export_catalog", str(second))
    names = sorted(p.name for p in first.iterdir())
    assert names == sorted(p.name for p in second.iterdir())
    assert len(names) > 1
    for name in names:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


def test_import_is_idempotent(tmp_path, capsys):
    folder = write_catalog(tmp_path / "c", vendor_data("alpha"), vendor_data("beta"))
    call_command("import_catalog", str(folder))
    assert "2 created" in capsys.readouterr().out
    call_command("import_catalog", str(folder))
    assert "0 created, 0 updated, 2 unchanged" in capsys.readouterr().out
    assert Vendor.objects.count() == 2


def test_a_changed_file_updates_its_vendor(tmp_path, capsys):
    folder = write_catalog(tmp_path / "c", vendor_data("alpha"))
    call_command("import_catalog", str(folder))
    write_catalog(folder, vendor_data("alpha", summary="Now sends invoices too."))
    call_command("import_catalog", str(folder))
    assert "1 updated" in capsys.readouterr().out
    assert Vendor.objects.get(slug="alpha").summary == "Now sends invoices too."


def test_a_bad_file_names_file_and_field_and_changes_nothing(tmp_path):
    folder = write_catalog(tmp_path / "c", vendor_data("alpha"))
    call_command("import_catalog", str(folder))
    write_catalog(folder, vendor_data("alpha", summary="Changed"))
    (folder / "zulu.toml").write_text(
        (folder / "alpha.toml")
        .read_text()
        .replace('slug = "alpha"', 'slug = "zulu"')
        .replace("https://docs.example.net/auth", "ftp://docs.example.net/auth")
    )
    with pytest.raises(CommandError) as info:
        call_command("import_catalog", str(folder))
    assert "zulu.toml: methods[0].sources[0]" in str(info.value)
    assert Vendor.objects.get(slug="alpha").summary != "Changed"
    assert not Vendor.objects.filter(slug="zulu").exists()


def test_a_missing_folder_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="is not a folder"):
        call_command("import_catalog", str(tmp_path / "nowhere"))


def test_import_derives_the_capability(tmp_path):
    folder = write_catalog(tmp_path / "c", vendor_data("alpha"))
    call_command("import_catalog", str(folder))
    vendor = Vendor.objects.get(slug="alpha")
    assert vendor.dmarc_capability == "full"
    assert vendor.dkim_routes == ["Domain authentication"]
