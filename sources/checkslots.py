"""Checks in flight per client: at most CHECK_CONCURRENCY at once, page and API together.

A rate limit counts checks started per minute; slow DNS can still make a few
of them last the whole time budget, so a client could keep many running at
once. This counter, in the shared cache (Redis with REDIS_URL), is taken when
a check starts and given back when it ends. It expires a while after the last
check started, so a process killed mid-check cannot leave a client locked out.

    async with check_slot(client_key(request)) as admitted:
        if not admitted:
            return a 429
        ... run the check ...
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress

from django.conf import settings
from django.core.cache import cache


def _key(client: str) -> str:
    return "checks-in-flight:" + hashlib.sha256(client.encode()).hexdigest()[:32]


def slot_expiry() -> int:
    """Seconds a counter outlives the last check that took it (twice the time budget)."""
    return max(30, math.ceil(settings.CHECK_TIME_BUDGET * 2))


async def check_slot_take(client: str) -> bool:
    """Take one of the client's slots; False (and nothing taken) when all are in use."""
    key, expiry = _key(client), slot_expiry()
    # add() never resets a live counter; incr() is atomic in Redis.
    await cache.aadd(key, 0, timeout=expiry)
    try:
        count = await cache.aincr(key)
    except ValueError:  # expired between add() and incr()
        await cache.aset(key, 1, timeout=expiry)
        count = 1
    await cache.atouch(key, timeout=expiry)
    if count > settings.CHECK_CONCURRENCY:
        await check_slot_give_back(client)
        return False
    return True


async def check_slot_give_back(client: str) -> None:
    """Give one slot back (a counter that has expired meanwhile stays gone)."""
    with suppress(ValueError):
        await cache.adecr(_key(client))


async def checks_in_flight(client: str) -> int:
    """How many checks the client has running now."""
    return int(await cache.aget(_key(client), 0))


@asynccontextmanager
async def check_slot(client: str) -> AsyncIterator[bool]:
    """A slot for the duration of the block: yields True when admitted, False when not."""
    admitted = await check_slot_take(client)
    try:
        yield admitted
    finally:
        if admitted:
            await check_slot_give_back(client)
