"""The DMARC record parser: RFC 9989 tags, defaults, warnings and the one error class."""

import pytest

from sources.checker.dmarc import DMARCSyntaxError, aligned, parse_dmarc


def test_it_reads_every_rfc9989_tag():
    record = parse_dmarc(
        "v=DMARC1; p=reject; sp=quarantine; np=reject; psd=n; t=y; adkim=s; aspf=s; "
        "rua=mailto:agg@example.com; ruf=mailto:fail@example.com; fo=1:d"
    )
    assert (record.p, record.sp, record.np, record.psd) == ("reject", "quarantine", "reject", "n")
    assert record.testing is True
    assert (record.adkim, record.aspf) == ("s", "s")
    assert [uri.domain for uri in record.rua] == ["example.com"]
    assert [uri.domain for uri in record.ruf] == ["example.com"]
    assert record.fo == ("1", "d")


def test_it_fills_in_the_defaults():
    record = parse_dmarc("v=DMARC1; p=quarantine; rua=mailto:d@example.com")
    assert (record.sp, record.np, record.psd, record.testing) == (None, None, "u", False)
    assert (record.adkim, record.aspf, record.fo) == ("r", "r", ("0",))
    assert record.warnings == ()


def test_policy_values_and_tag_names_are_case_insensitive_but_the_version_is_not():
    assert parse_dmarc("V = DMARC1 ; P = Reject").p == "reject"
    with pytest.raises(DMARCSyntaxError, match="case-sensitive"):
        parse_dmarc("v=dmarc1; p=reject")


@pytest.mark.parametrize(
    ("text", "position", "reason"),
    [
        ("", 0, "empty"),
        ("p=reject; v=DMARC1", 0, "must begin with the tag v=DMARC1"),
        (" v=DMARC1; p=none", 0, "not with a space"),
        ("v=DMARC1 p=reject", 8, "followed by ';'"),
        ("v=DMARC2; p=reject", 2, "must be DMARC1"),
        ("v=DMARC1; p=block", 12, "p=block is not none, quarantine or reject"),
        ("v=DMARC1; p=none; np=maybe", 21, "np=maybe"),
        ("v=DMARC1", 8, "p tag is missing"),
    ],
)
def test_it_raises_for_records_receivers_ignore(text, position, reason):
    with pytest.raises(DMARCSyntaxError) as caught:
        parse_dmarc(text)
    assert caught.value.position == position
    assert reason in caught.value.reason


def test_an_invalid_policy_with_a_valid_rua_counts_as_p_none():
    record = parse_dmarc("v=DMARC1; p=block; sp=reject; rua=mailto:d@example.com")
    assert (record.p, record.sp, record.p_assumed) == ("none", None, True)
    assert any("treat the record as p=none" in warning for warning in record.warnings)


@pytest.mark.parametrize(
    ("tag", "fragment"),
    [
        ("pct=50", "pct was removed in RFC 9989"),
        ("rf=afrf", "rf was removed"),
        ("ri=3600", "ri was removed"),
        ("adkim=x", "adkim=x is not valid"),
        ("aspf=relaxed", "aspf=relaxed is not valid"),
        ("t=maybe", "t=maybe is not valid"),
        ("psd=yes", "psd=yes is not valid"),
        ("fo=0:1", "fo=0:1 is not valid"),
        ("colour=blue", "unknown tag 'colour'"),
        ("p=none", "appears more than once"),
        ("ruf=https://reports.example.com/x", "https: scheme"),
        ("ruf=mailto:reports@example.com!10m", "size limit"),
        ("ruf=not a uri", "not a valid URI"),
        ("ruf=mailto:nobody", "not a usable mailto"),
        ("junk", "not a tag=value pair"),
        ("9x=1", "not a valid tag name"),
        ("n=caf\u00e9", "characters DMARC does not allow"),
    ],
)
def test_it_warns_about_tags_it_discards(tag, fragment):
    record = parse_dmarc(f"v=DMARC1; p=reject; rua=mailto:d@example.com; {tag}")
    assert record.p == "reject"
    assert any(fragment in warning for warning in record.warnings), record.warnings


def test_it_warns_that_p_none_only_monitors():
    record = parse_dmarc("v=DMARC1; p=none; rua=mailto:d@example.com")
    assert any("only monitors" in warning for warning in record.warnings)


def test_it_warns_when_nobody_receives_aggregate_reports():
    record = parse_dmarc("v=DMARC1; p=reject")
    assert any("no aggregate reports" in warning for warning in record.warnings)


def test_invalid_alignment_modes_fall_back_to_relaxed():
    record = parse_dmarc("v=DMARC1; p=reject; adkim=strict; aspf=S")
    assert (record.adkim, record.aspf) == ("r", "s")


@pytest.mark.parametrize(
    ("at_policy_domain", "exists", "expected"),
    [
        (True, True, ("reject", "p")),
        (False, True, ("quarantine", "sp")),
        (False, False, ("none", "np")),
    ],
)
def test_it_picks_p_sp_or_np_for_the_author_domain(at_policy_domain, exists, expected):
    record = parse_dmarc("v=DMARC1; p=reject; sp=quarantine; np=none")
    assert record.policy_for(at_policy_domain=at_policy_domain, exists=exists) == expected


def test_non_existent_subdomains_fall_back_to_sp_then_p():
    assert parse_dmarc("v=DMARC1; p=reject; sp=none").policy_for(
        at_policy_domain=False, exists=False
    ) == ("none", "sp")
    assert parse_dmarc("v=DMARC1; p=reject").policy_for(at_policy_domain=False, exists=False) == (
        "reject",
        "p",
    )


@pytest.mark.parametrize(
    ("author", "other", "mode", "expected"),
    [
        ("example.com", "example.com", "s", True),
        ("example.com", "Example.COM.", "s", True),
        ("example.com", "mail.example.com", "s", False),
        ("example.com", "mail.example.com", "r", True),
        ("news.example.com", "bounce.example.com", "r", True),
        ("example.com", "example.net", "r", False),
        ("a.example.co.uk", "b.example.co.uk", "r", True),
        ("example.co.uk", "other.co.uk", "r", False),
    ],
)
def test_alignment_is_equality_when_strict_and_same_org_domain_when_relaxed(
    author, other, mode, expected
):
    assert aligned(author, other, mode) is expected


def test_alignment_can_use_another_organisational_domain_rule():
    assert not aligned("a.example.com", "b.example.com", "r", org_domain_of=lambda name: name)
