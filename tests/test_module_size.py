"""No module of the site over 600 lines: split by responsibility before that (STYLE.md)."""

from pathlib import Path

SOURCES = Path(__file__).resolve().parent.parent / "sources"
MAX_LINES = 600


def line_counts(package: Path) -> dict[str, int]:
    """Lines of every Python module under `package`, migrations left out (generated)."""
    return {
        path.relative_to(package).as_posix(): len(path.read_text().splitlines())
        for path in sorted(package.rglob("*.py"))
        if "migrations" not in path.relative_to(package).parts
    }


def test_no_module_in_sources_is_over_600_lines():
    counts = line_counts(SOURCES)
    assert "models.py" in counts and "checker/check.py" in counts
    too_long = {name: n for name, n in counts.items() if n > MAX_LINES}
    assert too_long == {}, f"split these by responsibility: {too_long}"


def test_the_count_sees_long_modules_and_skips_migrations(tmp_path):
    (tmp_path / "migrations").mkdir()
    (tmp_path / "migrations" / "0001_initial.py").write_text("x = 1\n" * 700)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "long.py").write_text("x = 1\n" * 601)
    (tmp_path / "short.py").write_text("x = 1\n" * 600)
    assert line_counts(tmp_path) == {"short.py": 600, "sub/long.py": 601}
