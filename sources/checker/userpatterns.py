"""Regular expressions written by users (catalog `pattern` fields), run safely.

Every pattern from the catalog, a submission, the admin or the API is compiled
and matched here and nowhere else. Python's `re` has no time limit, so a
pattern such as `(a|aa)+$` can spend minutes on a short string; the `regex`
package accepts the same syntax and stops a match after `timeout` seconds.
Patterns are also capped in length, and the subjects they run on too.
"""

from __future__ import annotations

from functools import lru_cache

import regex

MAX_PATTERN_LENGTH = 500
# Parameter values and DNS names are short; anything longer is not matched at all.
MAX_SUBJECT_LENGTH = 4096
# Seconds one match may take. Honest patterns finish in microseconds.
MATCH_TIMEOUT = 0.1


class PatternError(ValueError):
    """A pattern that cannot be used: too long, malformed, or too slow to match."""


class PatternTimeout(PatternError):
    """A match ran out of time: the pattern backtracks catastrophically."""


@lru_cache(maxsize=1024)
def compile_pattern(pattern: str, *, ignorecase: bool = False) -> regex.Pattern:
    """The compiled pattern; raises PatternError when it is too long or malformed."""
    if len(pattern) > MAX_PATTERN_LENGTH:
        raise PatternError(f"is longer than {MAX_PATTERN_LENGTH} characters")
    flags = regex.VERSION0 | (regex.IGNORECASE if ignorecase else 0)
    try:
        return regex.compile(pattern, flags)
    except (regex.error, OverflowError, RecursionError) as exc:
        raise PatternError(f"is not a valid regular expression: {exc}") from None


def _run(method: str, pattern: str, value: str, ignorecase: bool, timeout: float) -> bool:
    compiled = compile_pattern(pattern, ignorecase=ignorecase)
    if len(value) > MAX_SUBJECT_LENGTH:
        return False
    try:
        return getattr(compiled, method)(value, timeout=timeout) is not None
    except TimeoutError:
        raise PatternTimeout(
            f"took more than {timeout:g} s to match {value[:40]!r}: nested repetition "
            "such as (a|aa)+ makes a pattern exponentially slow; write it without"
        ) from None


def fullmatch(
    pattern: str, value: str, *, ignorecase: bool = False, timeout: float = MATCH_TIMEOUT
) -> bool:
    """Whether `value` matches all of `pattern`; PatternError when it cannot tell."""
    return _run("fullmatch", pattern, value, ignorecase, timeout)


def search(
    pattern: str, value: str, *, ignorecase: bool = False, timeout: float = MATCH_TIMEOUT
) -> bool:
    """Whether `pattern` matches somewhere in `value`; PatternError when it cannot tell."""
    return _run("search", pattern, value, ignorecase, timeout)


def validate_pattern(pattern: str) -> None:
    """Raise PatternError unless `pattern` compiles within the length cap."""
    compile_pattern(pattern)


class UserPattern:
    """A compiled user pattern for lookups: a match that runs out of time is no match."""

    def __init__(self, pattern: str, *, ignorecase: bool = False) -> None:
        self.pattern = pattern
        self.ignorecase = ignorecase
        compile_pattern(pattern, ignorecase=ignorecase)  # PatternError now, not at lookup

    def search(self, value: str) -> bool:
        try:
            return search(self.pattern, value, ignorecase=self.ignorecase)
        except PatternError:
            return False
