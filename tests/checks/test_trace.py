"""The DNS timeline: check_domain --trace, stats.trace in the JSON, and the result page."""

import contextlib
import json

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_the_json_trace_lists_every_lookup_in_order(capsys, dns_server):
    with contextlib.suppress(SystemExit):  # exit 1 when the verdict is not pass
        call_command(
            "check_domain", "brightfield.example", "--only", "spf,dmarc", "--format", "json"
        )
    data = json.loads(capsys.readouterr().out)
    trace = data["stats"]["trace"]
    names = {(entry["type"], entry["name"]) for entry in trace}
    assert ("TXT", "brightfield.example") in names
    assert ("TXT", "_dmarc.brightfield.example") in names
    starts = [entry["start_ms"] for entry in trace]
    assert starts == sorted(starts)
    assert all(entry["end_ms"] >= entry["start_ms"] >= 0 for entry in trace)
    # Every lookup the server answered for this check is in the trace, and nothing else.
    assert len(trace) == len(names)


def test_the_text_timeline_follows_the_report(capsys, dns_server):
    with contextlib.suppress(SystemExit):
        call_command("check_domain", "brightfield.example", "--only", "spf,dmarc", "--trace")
    out = capsys.readouterr().out
    timeline = out[out.index("DNS timeline:") :].splitlines()
    assert timeline[0].startswith("DNS timeline: ")
    assert any("TXT   _dmarc.brightfield.example" in line for line in timeline[1:])
    assert all("|" in line and " ms |" in line for line in timeline[1:])


def test_the_result_page_shows_the_timeline(client, dns_server):
    response = client.post("/check/", {"domain": "brightfield.example"})
    page = client.get(response["Location"]).content.decode()
    assert "DNS timeline: when each lookup started and ended" in page
    assert "<code>TXT _dmarc.brightfield.example</code>" in page
    assert '<rect x="' in page
