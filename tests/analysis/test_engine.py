"""The analyzer's engine on real signed messages, keys on the loopback DNS server."""

from __future__ import annotations

from tests.analysis import scenarios


def signature(report: dict, domain: str) -> dict:
    return next(sig for sig in report["dkim"] if sig["domain"] == domain)


def test_an_aligned_vendor_message_passes_by_both_routes(run_analysis):
    report = run_analysis(scenarios.aligned_message())
    assert report["mode"] == "message"
    assert report["verdict"] == "pass"
    assert report["verdict_basis"] == "verified"
    assert report["dmarc_pass_routes"] == ["dkim", "spf"]
    sig = signature(report, "acme-billing.test")
    assert sig["verification"]["status"] == "pass"
    assert sig["aligned"] is True
    assert sig["key"]["cname_target"] == "s1.domainkey.u7777.wl7.sendgrid.net"
    assert report["spf"]["ip"] == scenarios.SENDGRID_IP
    assert report["spf"]["result"] == "pass"
    assert report["spf"]["return_path_cname"] == "u7777.wl7.sendgrid.net"
    assert report["dmarc"]["policy"] == "reject"
    assert report["receiver"]["dmarc"] == "pass"
    assert report["disagreements"] == []


def test_it_reports_the_header_fields_as_the_receiver_recorded_them(run_analysis):
    report = run_analysis(scenarios.aligned_message())
    assert report["from"]["domain"] == "acme-billing.test"
    assert report["return_path"]["domain"] == "em77.acme-billing.test"
    sig = signature(report, "acme-billing.test")
    assert sig["selector"] == "s1"
    assert sig["algorithm"] == "rsa-sha256"
    assert sig["headers"] == ["from", "to", "subject", "date", "message-id"]
    assert isinstance(sig["timestamp"], int)
    hops = report["received"]["hops"]
    assert [hop["by"] for hop in hops] == ["mailbox.recipient.test", "mx.recipient.test"]
    assert hops[0]["internal"] is True and hops[1]["from_ip"] == scenarios.SENDGRID_IP
    assert hops[1]["from_host"] == "o1.ptr7777.sendgrid.net"
    assert hops[0]["delay_seconds"] == 5  # 90 s then 95 s after sending
    methods = [r["method"] for r in report["authentication_results"][0]["results"]]
    assert methods == ["dkim", "spf", "dmarc"]


def test_an_unaligned_vendor_message_fails_with_both_routes_in_the_vendors_domain(run_analysis):
    report = run_analysis(scenarios.unaligned_message())
    assert report["verdict"] == "fail"
    sig = signature(report, "sendgrid.net")
    assert sig["verification"]["status"] == "pass"
    assert sig["aligned"] is False
    assert report["spf"]["result"] == "pass"
    assert report["spf"]["aligned"] is False
    assert report["dmarc"]["policy"] == "quarantine"
    assert report["dmarc_pass_routes"] == []


def test_a_body_changed_after_signing_is_named_as_such(run_analysis):
    report = run_analysis(scenarios.body_modified_message())
    sig = signature(report, "acme-billing.test")
    assert sig["verification"]["status"] == "body-changed"
    # The receiver verified it on arrival: the copy pasted here was changed since.
    assert {
        "code": "dkim-changed-since-receipt",
        "domain": "acme-billing.test",
        "selector": "s1",
    } in (report["disagreements"])
    assert report["dmarc_pass_routes"] == ["spf"]


def test_changed_signed_headers_break_the_signature_but_not_the_body_hash(run_analysis):
    raw = scenarios.aligned_message().replace(b"Subject: Your invoice", b"Subject: Urgent")
    sig = signature(run_analysis(raw), "acme-billing.test")
    assert sig["verification"]["status"] == "headers-changed"


def test_a_forwarded_message_shows_the_arc_chain_vouching_for_the_original(run_analysis):
    report = run_analysis(scenarios.forwarded_message())
    assert report["verdict"] == "fail"
    assert signature(report, "acme-billing.test")["verification"]["status"] == "body-changed"
    assert report["arc_validation"]["cv"] == "pass"
    assert report["arc"][0]["seal"]["domain"] == "lists.forward.test"
    recorded = report["arc"][0]["results"]["results"]
    assert recorded[0]["method"] == "dkim" and recorded[0]["result"] == "pass"
    codes = [item["code"] for item in report["disagreements"]]
    assert codes == ["dkim-broken-by-forwarder", "arc-may-override"]
    assert report["disagreements"][0]["forwarder"] == "lists.forward.test"
    assert report["spf"]["domain"] == "lists.forward.test"
    assert report["spf"]["aligned"] is False


def test_a_broken_arc_seal_is_not_trusted(run_analysis):
    raw = scenarios.forwarded_message().replace(b"cv=none", b"cv=pass")
    report = run_analysis(raw)
    assert report["arc_validation"]["cv"] == "fail"
    assert "arc-may-override" not in [item["code"] for item in report["disagreements"]]


def test_headers_only_take_alignment_from_the_receivers_results(run_analysis):
    report = run_analysis(scenarios.headers_only())
    assert report["mode"] == "headers"
    assert report["verdict_basis"] == "headers"
    assert signature(report, "acme-billing.test")["verification"]["status"] == "not-verified"
    assert report["verdict"] == "pass"
    assert report["alignment"]["dkim"] == {"pass": True, "domain": "acme-billing.test"}


def test_a_key_removed_since_delivery_is_told_apart_from_a_broken_signature(
    run_analysis, mail_zones
):
    mail_zones.set_fault("s1.domainkey.u7777.wl7.sendgrid.net", "servfail")
    report = run_analysis(scenarios.aligned_message())
    assert signature(report, "acme-billing.test")["verification"]["status"] == "key-error"
    # SPF still aligns, so the verdict stands.
    assert report["verdict"] == "pass"


def test_a_missing_key_after_rotation_is_a_disagreement_with_the_receiver(run_analysis):
    raw = scenarios.aligned_message().replace(b"s=s1;", b"s=s9;")
    raw = raw.replace(b"header.s=s1", b"header.s=s9")
    report = run_analysis(raw)
    assert signature(report, "acme-billing.test")["verification"]["status"] == "key-missing"
    assert report["disagreements"][0]["code"] == "dkim-key-gone"
