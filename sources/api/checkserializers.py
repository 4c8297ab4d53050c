"""Serializers of the checks API: the requests, and the report's shape for the schema.

The report itself is not serialized field by field: it is the checker's JSON
(services.checks), stored as is. These classes document it in the OpenAPI schema.
"""

from __future__ import annotations

from django.conf import settings
from rest_framework import serializers

from sources.checker.check import SECTIONS
from sources.models import BulkCheck
from sources.services.bulkchecks import ParsedRows, bulk_rows_parse
from sources.services.checks import CheckInputError, check_input_clean

VERDICTS = ["pass", "partial", "fail", "error"]
STATUSES = ["pass", "fail", "warn", "error"]


# -- input -------------------------------------------------------------------------


class VendorChoiceSerializer(serializers.Serializer):
    """The vendor, method and account values shared by single and bulk checks."""

    vendor = serializers.CharField(
        required=False,
        allow_blank=True,
        allow_null=True,
        max_length=200,
        help_text="A vendor's slug (or name). Leave out for a general domain report.",
    )
    method = serializers.CharField(
        required=False,
        allow_blank=True,
        allow_null=True,
        max_length=30,
        help_text="The vendor's setup method kind; default: its recommended method.",
    )
    parameters = serializers.DictField(
        child=serializers.CharField(allow_blank=True, max_length=255),
        required=False,
        help_text="Values from the customer's vendor account that the method's records use "
        "(see the vendor's `methods[].parameters`).",
    )

    def clean_check(self, attrs, *, domain, only=None):
        try:
            return check_input_clean(
                domain=domain,
                vendor=attrs.get("vendor") or None,
                method=attrs.get("method") or None,
                params=attrs.get("parameters") or {},
                only=only,
            )
        except CheckInputError as exc:
            raise serializers.ValidationError(_field_errors(exc)) from None


class CheckInputSerializer(VendorChoiceSerializer):
    domain = serializers.CharField(
        max_length=1000,
        help_text="The domain to check. A URL or an e-mail address works too; the report's "
        "`domain` is the normalised name.",
    )
    only = serializers.ListField(
        child=serializers.ChoiceField(choices=sorted(SECTIONS)),
        required=False,
        allow_empty=False,
        help_text="Limit the report to these checks.",
    )

    def validate(self, attrs):
        attrs["check"] = self.clean_check(attrs, domain=attrs["domain"], only=attrs.get("only"))
        return attrs


class DomainListField(serializers.ListField):
    """Domains for a bulk check; their number is checked before the items are, so that a
    long list is refused unread."""

    def to_internal_value(self, data):
        limit = settings.BULK_CHECK_MAX_DOMAINS
        if isinstance(data, list) and len(data) > limit:
            raise serializers.ValidationError(
                f"At most {limit} domains per bulk check; this has {len(data)}."
            )
        return super().to_internal_value(data)


class BulkCheckInputSerializer(VendorChoiceSerializer):
    domains = DomainListField(
        child=serializers.CharField(allow_blank=True, max_length=1000),
        required=False,
        help_text="The domains (URLs and e-mail addresses work too). Entries that are not "
        "domains are reported in `invalid_rows` by position (1 = the first) and skipped.",
    )
    csv = serializers.CharField(
        required=False,
        max_length=2_000_000,
        help_text="Or CSV text: a `domain` column if there is a header, else the first "
        "column; `invalid_rows` then gives line numbers.",
    )

    def validate(self, attrs):
        domains, text = attrs.get("domains"), attrs.get("csv")
        if (domains is None) == (text is None):
            raise serializers.ValidationError({"domains": ["Give either `domains` or `csv`."]})
        limit = settings.BULK_CHECK_MAX_DOMAINS
        attrs["check"] = self.clean_check(attrs, domain=None)
        try:
            rows = (
                bulk_rows_parse(text, limit=limit)
                if text is not None
                else _rows_from_list(domains or [])
            )
        except ValueError as exc:
            raise serializers.ValidationError({"csv": [str(exc)]}) from None
        if not rows.domains:
            field = "csv" if text is not None else "domains"
            raise serializers.ValidationError(
                {field: ["No domains to check: every entry is empty or invalid."]}
            )
        attrs["rows"] = rows
        return attrs


def _rows_from_list(domains: list[str]) -> ParsedRows:
    """A JSON list read like a one-column CSV without a header: positions as line numbers."""
    rows = ParsedRows()
    seen: dict[str, int] = {}
    for position, text in enumerate(domains, start=1):
        parsed = bulk_rows_parse('"' + text.replace('"', '""') + '"' if text.strip() else "")
        if not parsed.domains:
            error = parsed.invalid[0]["error"] if parsed.invalid else "empty"
            rows.add_invalid(position, text[:200], error)
            continue
        domain = parsed.domains[0][1]
        if domain in seen:
            rows.add_invalid(
                position, text[:200], f"duplicate of entry {seen[domain]} (checked once)"
            )
            continue
        seen[domain] = position
        rows.domains.append((position, domain))
    return rows


def _field_errors(exc: CheckInputError) -> dict:
    errors: dict = {}
    for name, message in exc.errors.items():
        if isinstance(message, dict):
            errors["parameters"] = {param: [text] for param, text in message.items()}
        else:
            errors[name] = [message]
    return errors


# -- output (documentation of the report's shape) --------------------------------------


class RequirementSerializer(serializers.Serializer):
    id = serializers.CharField()
    purpose = serializers.CharField(help_text="return-path, dkim, spf, delegation, tracking, ...")
    status = serializers.ChoiceField(choices=STATUSES, help_text="error: the lookup failed; retry.")
    expected = serializers.CharField()
    observed = serializers.ListField(child=serializers.CharField())
    fix = serializers.CharField(allow_null=True, help_text="The zone-file line that fixes it.")
    type = serializers.CharField()
    check = serializers.CharField()
    host = serializers.CharField(allow_null=True)
    required = serializers.BooleanField()
    selector = serializers.CharField(allow_null=True)
    message = serializers.CharField()


class SPFSectionSerializer(serializers.Serializer):
    status = serializers.CharField(help_text="ok, none, invalid (permerror) or error (retry)")
    record = serializers.CharField(allow_null=True)
    lookups = serializers.IntegerField(help_text="DNS-querying terms in the whole tree (max 10)")
    void_lookups = serializers.IntegerField()
    errors = serializers.ListField(child=serializers.CharField())
    warnings = serializers.ListField(child=serializers.CharField())
    tree = serializers.JSONField(allow_null=True, help_text="The include tree, with costs.")


class DMARCSectionSerializer(serializers.Serializer):
    status = serializers.CharField(help_text="found, none, invalid, multiple or error")
    record = serializers.CharField(allow_null=True)
    policy = serializers.CharField(allow_null=True, help_text="none, quarantine or reject")
    policy_tag = serializers.CharField(allow_null=True, help_text="p, sp or np")
    policy_domain = serializers.CharField(allow_null=True)
    organisational_domain = serializers.CharField(allow_null=True)
    warnings = serializers.ListField(child=serializers.CharField())
    errors = serializers.ListField(child=serializers.CharField())


class DKIMKeySerializer(serializers.Serializer):
    status = serializers.CharField(help_text="found, missing, invalid, revoked or error")
    key_type = serializers.CharField(allow_null=True)
    bits = serializers.IntegerField(allow_null=True)
    warnings = serializers.ListField(child=serializers.CharField())
    errors = serializers.ListField(child=serializers.CharField())
    name = serializers.CharField()
    cname_target = serializers.CharField(allow_null=True)


class PlanRowSerializer(serializers.Serializer):
    host = serializers.CharField()
    name = serializers.CharField(help_text="Relative to `zone` (@ for the apex).")
    type = serializers.CharField()
    value = serializers.CharField(help_text="As typed into a DNS provider's form.")
    ttl = serializers.IntegerField()
    zone_line = serializers.CharField()
    action = serializers.ChoiceField(choices=["add", "replace"])
    replaces = serializers.ListField(child=serializers.CharField())


class ChangePlanSerializer(serializers.Serializer):
    zone = serializers.CharField()
    rows = PlanRowSerializer(many=True)
    zone_file = serializers.CharField(help_text="Every change in master-file syntax.")
    warnings = serializers.ListField(
        child=serializers.CharField(), help_text="E.g. a merged SPF record over 10 lookups."
    )


class StatsSerializer(serializers.Serializer):
    queries = serializers.IntegerField()
    elapsed_ms = serializers.FloatField()


class CheckReportSerializer(serializers.Serializer):
    """The report, as `manage.py check_domain --format json` prints it (keys may be added)."""

    id = serializers.UUIDField()
    url = serializers.URLField()
    created_at = serializers.DateTimeField()
    domain = serializers.CharField()
    vendor = serializers.CharField(allow_null=True)
    verdict = serializers.ChoiceField(choices=VERDICTS)
    headline = serializers.CharField(help_text="The verdict in one sentence.")
    dmarc_pass_routes = serializers.ListField(
        child=serializers.CharField(), help_text='The aligned routes in place: "dkim", "spf".'
    )
    requirements = RequirementSerializer(many=True)
    spf = SPFSectionSerializer(allow_null=True)
    dmarc = DMARCSectionSerializer(allow_null=True)
    dkim = serializers.DictField(child=DKIMKeySerializer(), help_text="By selector.")
    change_plan = ChangePlanSerializer()
    stats = StatsSerializer()
    timed_out = serializers.BooleanField(
        help_text="True when the check's time budget ran out: a partial result, where "
        "lookups still unanswered are requirements with status `error`."
    )


class BulkCheckSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    url = serializers.URLField()
    status = serializers.ChoiceField(choices=BulkCheck.Status.values)
    vendor = serializers.CharField(allow_null=True)
    method = serializers.CharField(allow_null=True)
    total = serializers.IntegerField()
    done = serializers.IntegerField()
    percent = serializers.IntegerField()
    counts = serializers.DictField(child=serializers.IntegerField(), help_text="By verdict.")
    invalid_rows = serializers.ListField(
        child=serializers.DictField(), help_text="The first 100 rows that are not domains."
    )
    invalid_count = serializers.IntegerField(help_text="All the rows that are not domains.")
    error = serializers.CharField(allow_null=True)
    results_url = serializers.URLField(allow_null=True, help_text="Set once the check is done.")
    created_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)


CHECK_EXAMPLE = {
    "id": "1b4e28ba-2fa1-11d2-883f-0016d3cca427",
    "url": "https://example.org/api/v1/checks/1b4e28ba-2fa1-11d2-883f-0016d3cca427",
    "created_at": "2026-11-29T10:00:00Z",
    "domain": "example.com",
    "vendor": "zendesk",
    "verdict": "partial",
    "headline": "Mail that Zendesk sends for example.com will pass DMARC through DKIM "
    "alignment, but 1 required record needs attention.",
    "dmarc_pass_routes": ["dkim"],
    "requirements": [
        {
            "id": "dkim-2",
            "purpose": "dkim",
            "status": "fail",
            "expected": "CNAME zd2._domainkey.example-target.com",
            "observed": [],
            "fix": "zd2._domainkey.example.com. 3600 IN CNAME zd2._domainkey.example-target.com.",
        }
    ],
    "spf": {"record": "v=spf1 include:mail.zendesk.com -all", "lookups": 3, "void_lookups": 0},
    "dmarc": {"record": "v=DMARC1; p=reject", "policy": "reject"},
    "dkim": {"zd1": {"status": "found", "key_type": "rsa", "bits": 2048, "warnings": []}},
    "change_plan": {"zone": "example.com", "warnings": []},
    "stats": {"queries": 14, "elapsed_ms": 61.2},
}
