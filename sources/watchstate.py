"""The per-record state machine of watched domains, with hysteresis. No Django here.

Each run turns a requirement's check status into an observation:

- `pass` or `warn` (the record is there) points to **verified**;
- `fail` (the record is missing or wrong) points to **failed**;
- `error` (a timeout, SERVFAIL: the lookup did not answer) points to
  **temporary_failure**, never to failed: nobody is told a record is gone
  because a name server was slow;
- a requirement the checker could not test (a per-account value is missing)
  points nowhere and keeps the state.

A state flips only after `flip_after` consecutive results agree (default 2),
so one bad answer never flaps an established state. The one exception is the
first verification: a pending record that is found is verified at once,
which is what an onboarding customer waits for (nothing established is at
stake).
"""

from __future__ import annotations

from dataclasses import dataclass

PENDING = "pending"
VERIFIED = "verified"
FAILED = "failed"
TEMPORARY_FAILURE = "temporary_failure"
STATES = (PENDING, VERIFIED, FAILED, TEMPORARY_FAILURE)

_POINTS_TO = {"pass": VERIFIED, "warn": VERIFIED, "fail": FAILED, "error": TEMPORARY_FAILURE}


@dataclass(frozen=True)
class RecordState:
    """Where a record stands: its state, and what the latest consecutive results point to."""

    state: str = PENDING
    candidate: str = ""
    streak: int = 0


def observation(status: str, *, untested: bool = False) -> str | None:
    """The state a requirement's check status points to, or None (nothing to learn)."""
    if untested:
        return None
    return _POINTS_TO.get(status)


def advance(current: RecordState, observed: str | None, *, flip_after: int = 2) -> RecordState:
    """The record's state after one more result."""
    if observed is None:
        return RecordState(current.state)
    if observed == current.state:
        return RecordState(current.state)
    if current.state == PENDING and observed == VERIFIED:
        return RecordState(VERIFIED)
    streak = current.streak + 1 if observed == current.candidate else 1
    if streak >= max(1, flip_after):
        return RecordState(observed)
    return RecordState(current.state, observed, streak)


def overall(states: list[tuple[str, bool]]) -> str:
    """A watch's state from its records' (state, required) pairs.

    Failed if a required record failed; else temporary failure if one could not
    be looked up; verified once every required record is; pending otherwise.
    """
    counted = [state for state, required in states if required] or [s for s, _ in states]
    if not counted:
        return PENDING
    if FAILED in counted:
        return FAILED
    if TEMPORARY_FAILURE in counted:
        return TEMPORARY_FAILURE
    if all(state == VERIFIED for state in counted):
        return VERIFIED
    return PENDING


def generic_statuses(report: dict) -> list[dict]:
    """Requirements for a watch without a vendor: the domain's DMARC and SPF records.

    A generic report has no vendor requirements, so these two stand in, in the
    same shape (`id`, `purpose`, `status`, `message`).
    """
    dmarc = report.get("dmarc") or {}
    spf = report.get("spf") or {}
    dmarc_status = {"found": "pass", "error": "error"}.get(dmarc.get("status") or "", "fail")
    spf_status = {"ok": "pass", "error": "error"}.get(spf.get("status") or "", "fail")
    return [
        {
            "id": "dmarc",
            "purpose": "dmarc",
            "type": "TXT",
            "host": f"_dmarc.{report.get('domain', '')}",
            "status": dmarc_status,
            "required": True,
            "message": dmarc.get("record") or dmarc.get("status") or "",
        },
        {
            "id": "spf",
            "purpose": "spf",
            "type": "TXT",
            "host": report.get("domain", ""),
            "status": spf_status,
            "required": True,
            "message": spf.get("record") or spf.get("status") or "",
        },
    ]
