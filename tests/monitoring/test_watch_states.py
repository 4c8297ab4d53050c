"""A watch's records move pending → verified → failed with hysteresis, over real DNS."""

import pytest

from sources.models import Watch, WatchEvent
from sources.services.checks import CheckInputError
from sources.services.watches import watch_create, watches_check

from .conftest import ALL


def states(watch: Watch) -> dict[str, str]:
    return {r.requirement_id: r.state for r in watch.records.all()}


def run(watch: Watch) -> Watch:
    watches_check([watch.pk])
    return Watch.objects.get(pk=watch.pk)


@pytest.fixture
def watch(owner, mailhawk, shop):
    return watch_create(
        owner=owner, domain="https://Shop.TEST/", vendor="mailhawk", params={"account_id": "7001"}
    )


def test_a_new_watch_lists_the_records_to_publish_all_pending(watch):
    records = {r.requirement_id: r for r in watch.records.all()}
    assert set(records) == set(ALL)
    assert records["dkim-s1"].host == "s1._domainkey.shop.test"
    assert records["dkim-s1"].value == "s1.dkim.u7001.mailhawk.test"
    assert watch.domain == "shop.test"
    assert {r.state for r in records.values()} == {"pending"}
    assert watch.state == "pending"


def test_it_goes_from_pending_to_verified_once_the_records_are_published(watch, shop):
    shop.publish(*ALL)
    watch = run(watch)
    assert states(watch) == dict.fromkeys(ALL, "verified")
    assert watch.state == "verified"
    overall = WatchEvent.objects.get(watch=watch, requirement_id="", to_state="verified")
    assert overall.from_state == "pending"


def test_a_missing_record_on_a_new_watch_fails_only_after_two_runs(watch):
    watch = run(watch)
    assert states(watch) == dict.fromkeys(ALL, "pending")
    watch = run(watch)
    assert states(watch) == dict.fromkeys(ALL, "failed")
    assert watch.state == "failed"


def test_a_removed_record_flips_to_failed_only_after_two_runs(watch, shop):
    shop.publish(*ALL)
    watch = run(watch)
    assert watch.state == "verified"

    shop.publish("dkim-s2", "return-path")  # dkim-s1 removed
    watch = run(watch)
    assert states(watch)["dkim-s1"] == "verified", "one failing run must not flip it"
    assert watch.state == "verified"
    assert not WatchEvent.objects.filter(watch=watch, to_state="failed").exists()

    watch = run(watch)
    assert states(watch) == {"dkim-s1": "failed", "dkim-s2": "verified", "return-path": "verified"}
    assert watch.state == "failed"
    event = WatchEvent.objects.get(watch=watch, requirement_id="dkim-s1", to_state="failed")
    assert event.from_state == "verified"


def test_one_bad_run_between_good_ones_changes_nothing(watch, shop):
    shop.publish(*ALL)
    run(watch)
    shop.publish("dkim-s2", "return-path")
    run(watch)
    shop.publish(*ALL)
    watch = run(watch)
    shop.publish("dkim-s2", "return-path")
    watch = run(watch)
    assert states(watch)["dkim-s1"] == "verified"
    assert not WatchEvent.objects.filter(watch=watch, to_state="failed").exists()


def test_a_timeout_gives_temporary_failure_and_never_failed(watch, shop, settings):
    settings.CHECKER_TIMEOUT = 0.3
    shop.publish(*ALL)
    watch = run(watch)
    assert watch.state == "verified"
    shop.server.set_fault("s1._domainkey.shop.test", "timeout")
    for _ in range(4):
        watch = run(watch)
        assert states(watch)["dkim-s1"] in ("verified", "temporary_failure")
    assert states(watch)["dkim-s1"] == "temporary_failure"
    assert watch.state == "temporary_failure"
    assert not WatchEvent.objects.filter(watch=watch, to_state="failed").exists()
    record = watch.records.get(requirement_id="dkim-s1")
    assert record.last_status == "error"


def test_history_keeps_state_changes_not_every_run(watch, shop):
    shop.publish(*ALL)
    for _ in range(3):
        watch = run(watch)
    assert watch.runs == 3
    changes = WatchEvent.objects.filter(watch=watch)
    # Each record once (pending → verified) and the watch once.
    assert changes.count() == len(ALL) + 1


def test_a_watch_without_a_vendor_follows_dmarc_and_spf(owner, shop):
    watch = watch_create(owner=owner, domain="shop.test")
    assert set(states(watch)) == {"dmarc", "spf"}
    watch = run(watch)
    assert states(watch) == {"dmarc": "verified", "spf": "verified"}


def test_bad_input_is_refused_with_every_field_named(owner, mailhawk):
    with pytest.raises(CheckInputError) as caught:
        watch_create(
            owner=owner,
            domain="localhost",
            vendor="mailhawk",
            params={"account_id": "x"},
            interval_minutes="5",
        )
    assert set(caught.value.errors) >= {"domain", "parameters", "interval_minutes"}
    assert not Watch.objects.exists()


def test_the_same_watch_twice_is_refused(watch, owner):
    with pytest.raises(CheckInputError) as caught:
        watch_create(
            owner=owner, domain="shop.test", vendor="mailhawk", params={"account_id": "7001"}
        )
    assert "already watch" in caught.value.errors["domain"]


def test_a_watch_whose_vendor_left_the_directory_reports_why_and_waits(watch, mailhawk):
    mailhawk.published = False
    mailhawk.save(update_fields=["published"])
    (outcome,) = watches_check([watch.pk])
    watch = Watch.objects.get(pk=watch.pk)
    assert outcome.report is None and outcome.events == []
    assert "no vendor 'mailhawk'" in watch.error
    assert watch.claimed_until is None and watch.runs == 0
    assert states(watch) == dict.fromkeys(ALL, "pending")


def test_one_lookup_per_vendor_in_a_batch(owner, mailhawk, shop, monkeypatch):
    watches = [
        watch_create(
            owner=owner, domain=f"d{i}.shop.test", vendor="mailhawk", params={"account_id": "7001"}
        )
        for i in range(6)
    ]
    from sources.services import watches as service

    calls = []
    original = service.vendor_lookup_data
    monkeypatch.setattr(
        service, "vendor_lookup_data", lambda slug: calls.append(slug) or original(slug)
    )
    watches_check([w.pk for w in watches])
    assert calls == ["mailhawk"]
    assert all(Watch.objects.get(pk=w.pk).runs == 1 for w in watches)
