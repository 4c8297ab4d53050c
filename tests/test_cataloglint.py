"""Catalog lint and coverage: each finding kind on small in-memory entries, and the CLI."""

from sources.catalogcoverage import catalog_coverage
from sources.catalogfile import dump_vendor, main, validate_vendor
from sources.cataloglint import example_reads_as_example, lint_catalog
from tests.factories import dkim_cname_method, vendor_data

DOCS = ["https://docs.example.net/spf"]


def entry(slug="acme", **overrides):
    return validate_vendor(vendor_data(slug, **overrides), source=f"{slug}.toml")


def include_method(include="include:spf.acme-mail.net", **overrides):
    method = {
        "kind": "spf-include",
        "title": "Add our include",
        "sources": DOCS,
        "steps": "Add the include.",
        "records": [
            {
                "id": "spf",
                "type": "TXT",
                "host": "{domain}",
                "value": include,
                "check": "spf-include",
                "purpose": "spf",
            }
        ],
    }
    return {**method, **overrides}


def fixed_dkim_method(target="s1.dkim.acme-mail.net"):
    record = {
        "id": "dkim",
        "type": "CNAME",
        "host": "s1._domainkey.{domain}",
        "value": target,
        "purpose": "dkim",
        "selector": "s1",
    }
    return dkim_cname_method(parameters=[], records=[record])


def lines(*vendors):
    return [str(f) for f in lint_catalog(vendors)]


def test_a_clean_entry_has_no_findings():
    assert lines(entry()) == []


def test_examples_must_say_example_or_be_digits_only():
    assert example_reads_as_example("1234567")
    assert example_reads_as_example("example-token")
    assert example_reads_as_example("s1.Example.net")
    assert not example_reads_as_example("zd1")
    assert not example_reads_as_example("k2m4n6p8q0")


def test_it_flags_an_example_that_reads_like_a_real_selector():
    method = dkim_cname_method()
    method["parameters"][0].update(pattern="^[a-z0-9]+$", example="zd1")
    assert lines(entry(methods=[method])) == [
        "acme.toml: methods[0].parameters[0].example: 'zd1' could be read as a real value: "
        'an example contains the word "example" or is digits only (and matches the pattern)'
    ]


def test_it_flags_an_include_credited_with_spf_that_its_note_says_may_not_align():
    method = include_method(aligns=["spf"])
    method["records"][0]["note"] = "SPF may not align unless you set a custom bounce domain."
    assert lines(entry(methods=[method])) == [
        "acme.toml: methods[0].records[0].note: says the include may not align, yet the method "
        'has aligns = ["spf"]: drop aligns, or cite a source that documents alignment'
    ]
    # Without aligns the include earns no credit, so the note contradicts nothing.
    method.pop("aligns")
    assert lines(entry(methods=[method])) == []


def test_it_flags_a_route_both_credited_and_documented_as_impossible():
    no_spf = {"route": "spf", "sources": DOCS, "note": "Bounces use our domain."}
    found = lines(entry(not_aligned=[no_spf]))
    assert found == [
        "acme.toml: not_aligned[0]: says spf cannot be aligned, but 'Domain authentication' "
        "is credited with it: correct one of them"
    ]


def test_it_flags_a_method_credited_without_sources():
    # Validation requires sources; data edited elsewhere (the database) may lack them.
    vendor = entry()
    vendor["methods"][0]["sources"] = []
    found = lint_catalog([vendor])
    assert [(f.field, f.kind) for f in found] == [
        ("methods[0].records[0]", "source"),
        ("methods[0].records[1]", "source"),
        ("methods[0].sources", "evidence"),
    ]


def test_it_flags_the_same_include_in_two_entries_without_a_related_link_both_ways():
    a = entry("acme", methods=[include_method()])
    b = entry("acme-bulk", methods=[include_method()])
    assert lines(a, b) == [
        "acme-bulk.toml: related: shares include:spf.acme-mail.net with acme.toml: "
        "add 'acme' to related (or merge the entries if they are one sending system)",
        "acme.toml: related: shares include:spf.acme-mail.net with acme-bulk.toml: "
        "add 'acme-bulk' to related (or merge the entries if they are one sending system)",
    ]
    linked_one_way = entry("acme", methods=[include_method()], related=["acme-bulk"])
    assert [f.source for f in lint_catalog([linked_one_way, b])] == ["acme-bulk.toml"]
    linked_back = entry("acme-bulk", methods=[include_method()], related=["acme"])
    assert lint_catalog([linked_one_way, linked_back]) == []


def test_it_flags_the_same_fixed_dkim_target_but_not_per_account_values():
    a = entry("acme", methods=[fixed_dkim_method("S1.dkim.acme-mail.net.")])
    b = entry("acme-bulk", methods=[fixed_dkim_method()])
    assert {f.source for f in lint_catalog([a, b])} == {"acme.toml", "acme-bulk.toml"}
    # The factory's targets hold {account_id}: they identify an account, not a system.
    assert lint_catalog([entry("acme"), entry("acme-bulk")]) == []


def test_it_flags_a_related_slug_that_is_not_an_entry():
    assert lines(entry(related=["nosuch"])) == ["acme.toml: related[0]: 'nosuch' is not an entry"]


def test_it_flags_a_no_compliant_option_without_a_cited_no():
    impossible = {
        "methods": [],
        "no_compliant_option": True,
        "no_compliant_explanation": "Sends from its own domain only.",
    }
    assert [f.field for f in lint_catalog([entry(**impossible)])] == ["no_compliant_option"]
    cited = [{"route": r, "sources": DOCS, "note": "Own domain only."} for r in ("spf", "dkim")]
    assert lint_catalog([entry(**impossible, not_aligned=cited)]) == []


def test_it_flags_an_entry_without_documentation():
    assert lines(entry(documentation=[])) == [
        "acme.toml: documentation: lists no documentation page"
    ]


def parameter_selector_method():
    record = {
        "id": "dkim",
        "type": "CNAME",
        "host": "{selector}._domainkey.{domain}",
        "value": "{selector}.dkim.acme-mail.net",
        "purpose": "dkim",
        "selector": "{selector}",
    }
    param = {"name": "selector", "label": "Selector", "example": "example1"}
    return dkim_cname_method(parameters=[param], records=[record])


def test_coverage_counts_labels_tiers_and_the_gaps():
    all_parameter = entry("acme", methods=[parameter_selector_method()])
    fixed = entry("fixed", methods=[fixed_dkim_method()])
    nothing = entry("nothing", methods=[include_method()])
    cov = catalog_coverage([all_parameter, fixed, nothing])
    assert (cov.entries, cov.with_dkim) == (3, 2)
    assert cov.labels == {"dkim-only": 2, "unknown": 1}
    assert cov.routes["spf"] == {"unknown": 3}
    assert cov.all_parameter_dkim == ["acme"]
    assert cov.fixed_values == ["fixed", "nothing"]
    assert cov.nothing_documented == ["nothing"]
    assert cov.methods_by_tier == {"vendor-docs": 3}
    report = "\n".join(cov.lines())
    assert "entries with DKIM records: 2, all-parameter DKIM: 1" in report
    assert "entries with nothing documented: 1\n  nothing" in report


def write(tmp_path, vendor):
    path = tmp_path / f"{vendor['slug']}.toml"
    path.write_text(dump_vendor(vendor))
    return path


def test_the_command_prints_findings_and_fails_on_them_only_when_strict(tmp_path, capsys):
    method = dkim_cname_method()
    method["parameters"][0].update(pattern="^[a-z0-9]+$", example="zd1")
    path = write(tmp_path, entry("zz-lint-test", methods=[method]))
    assert main([str(path)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("zz-lint-test.toml: methods[0].parameters[0].example: 'zd1'")
    assert out[-1] == "1 valid, 0 invalid, 1 lint findings"
    assert main(["--strict", str(path)]) == 1


def test_the_command_fails_on_an_invalid_file_and_reports_coverage(tmp_path, capsys):
    good = write(tmp_path, entry("zz-good"))
    bad = tmp_path / "zz-bad.toml"
    bad.write_text('slug = "zz-bad"\n')
    assert main(["--coverage", str(good), str(bad)]) == 1
    out = capsys.readouterr().out
    assert "zz-bad.toml: name: is required" in out
    assert "entries: 1 (1 published)" in out
    assert out.splitlines()[-1] == "1 valid, 1 invalid, 0 lint findings"
