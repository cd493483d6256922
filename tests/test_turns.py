"""What both channels do around a turn: rate limits (real ``limits`` library, in memory or in Redis) and turn slots."""

import math
import uuid

import pytest
from rasa.core.channels.channel import UserMessage as Message

from herbot.rasa.channels.turns import TOO_FAST, TOO_MANY_CONVERSATIONS, rate_refusal


def fresh(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex}"


def test_one_conversation_gets_30_turns_a_minute(settings):
    assert settings.rate_limit == "30/minute"
    sender = fresh("sender")
    assert not any(rate_refusal(sender, "127.0.0.1") for _ in range(30))
    assert rate_refusal(sender, "127.0.0.1")
    assert not rate_refusal(fresh("other"), "127.0.0.1"), "another conversation is not slowed down"


def test_one_client_address_gets_120_turns_a_minute_across_conversations(settings):
    address = f"203.0.113.{uuid.uuid4().int % 250}"
    conversations = [fresh("a") for _ in range(4)]
    assert not any(rate_refusal(conversations[turn % 4], address) for turn in range(120))
    assert rate_refusal(conversations[0], address).text == TOO_FAST


@pytest.mark.parametrize("loopback", ["127.0.0.1", "127.0.0.9", "::1", "::ffff:127.0.0.1", "localhost"])
def test_loopback_is_not_limited_by_address(settings, loopback):
    assert not any(rate_refusal(fresh("local"), loopback) for _ in range(200))


def test_one_address_may_start_60_conversations_an_hour_and_go_on_with_them(settings):
    assert settings.new_conversations_per_address == "60/hour"
    address = f"2001:db8::{uuid.uuid4().hex[:4]}"
    started = [fresh("new") for _ in range(60)]
    assert not any(rate_refusal(sender, address) for sender in started)
    refused = rate_refusal(fresh("one too many"), address)
    assert refused.text == TOO_MANY_CONVERSATIONS and 3590 <= refused.retry_after <= 3600
    assert not rate_refusal(started[0], address), "the conversations it has carry on"


@pytest.fixture
def trusting(monkeypatch):
    """Settings with HERBOT_TRUSTED_PROXIES set to ``proxies``, read afresh (and again afterwards)."""
    from herbot.settings import get_settings

    def trust(proxies: str):
        monkeypatch.setenv("HERBOT_TRUSTED_PROXIES", proxies)
        get_settings.cache_clear()

    yield trust
    monkeypatch.undo()
    get_settings.cache_clear()


def test_forwarded_for_is_read_only_from_a_trusted_proxy_and_from_the_right(trusting):
    from herbot.rasa.channels.addresses import client_address, is_exempt

    trusting("127.0.0.1, 10.0.0.2")
    assert client_address("192.0.2.7", "198.51.100.1") == "192.0.2.7", "an untrusted peer's header is ignored"
    assert client_address("127.0.0.1", "198.51.100.1") == "198.51.100.1"
    assert client_address("::ffff:127.0.0.1", "forged, 198.51.100.1, 10.0.0.2") == "198.51.100.1"
    assert client_address("127.0.0.1", "::ffff:198.51.100.1") == "198.51.100.1", "one spelling per address"
    assert client_address("127.0.0.1", "") == "127.0.0.1"
    assert client_address("127.0.0.1", "10.0.0.2") == "10.0.0.2", "all trusted: the left-most"
    assert not is_exempt("127.0.0.1"), "a trusted proxy on loopback is limited: it speaks for many clients"
    assert is_exempt("127.0.0.5") and is_exempt("::ffff:127.0.0.5")


def test_the_wait_is_until_the_oldest_counted_turn_leaves_the_window(settings):
    """A moving window has room again when its oldest counted turn is a window old, not a fixed 10 s later."""
    import time

    sender = fresh("timed")
    first = time.time()
    assert not any(rate_refusal(sender, "127.0.0.1") for _ in range(29))
    time.sleep(1.5)
    assert not rate_refusal(sender, "127.0.0.1")
    refused = rate_refusal(sender, "127.0.0.1")
    assert refused.text == TOO_FAST
    assert refused.retry_after == math.ceil(first + 60 - time.time())


def test_a_bad_rate_is_refused_at_start(monkeypatch):
    from herbot.settings import get_settings

    monkeypatch.setenv("HERBOT_RATE_LIMIT", "lots")
    get_settings.cache_clear()
    try:
        with pytest.raises(SystemExit, match="HERBOT_RATE_LIMIT='lots' is not a rate like 30/minute"):
            get_settings()
    finally:
        monkeypatch.delenv("HERBOT_RATE_LIMIT")
        get_settings.cache_clear()


def test_with_redis_the_limit_holds_across_rasa_servers(monkeypatch, shared_stores):
    """Two limiters (as in two Rasa servers) on one Redis count the same conversation's turns."""
    from herbot.rasa.channels import turns
    from herbot.settings import get_settings

    postgres, redis = shared_stores
    monkeypatch.setenv("HERBOT_TRACKER_URL", postgres.url)
    monkeypatch.setenv("HERBOT_LOCK_URL", redis.url)
    get_settings.cache_clear()
    turns._limiter.cache_clear()
    try:
        sender = fresh("shared")
        assert not any(rate_refusal(sender, "127.0.0.1") for _ in range(15))
        turns._limiter.cache_clear()  # a new limiter: the other server
        assert not any(rate_refusal(sender, "127.0.0.1") for _ in range(15))
        assert 58 <= rate_refusal(sender, "127.0.0.1").retry_after <= 60
        redis.close()  # Redis gone: turns go through rather than fail
        assert not rate_refusal(fresh("after"), "127.0.0.1")
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
        turns._limiter.cache_clear()


def test_the_memory_limiter_starts_no_thread_per_turn_and_still_forgets_old_turns(monkeypatch):
    """limits' own memory storage started a sweeping thread on nearly every hit."""
    import time

    from limits import parse, strategies

    from herbot.rasa.channels import turns

    store = turns.SweptMemoryStorage()
    limiter = strategies.MovingWindowRateLimiter(store)
    twice = parse("2/second")
    sweeper = store.timer  # limits' storage replaced it with a new thread on nearly every hit
    for _ in range(5):
        assert limiter.hit(twice, "a") and limiter.hit(twice, "a")
        assert not limiter.hit(twice, "a")
        time.sleep(1.05)  # the window moves on: the conversation may talk again
    assert store.timer is sweeper
    assert len(store.events[twice.key_for("a")]) == 10  # expired entries wait for the sweep

    monkeypatch.setattr(turns, "SWEEP_SECONDS", 0.0)
    store._next_sweep = 0.0
    assert limiter.hit(twice, "b")
    assert store.events[twice.key_for("a")] == []


def test_the_sweep_is_used_only_where_herbot_s_speed_ups_apply(monkeypatch, caplog):
    """It replaces a private method of limits 2.4.0: not with HERBOT_RASA_SPEEDUPS=0, nor on another limits."""
    import logging

    from herbot.rasa.channels import turns
    from herbot.settings import get_settings

    def storage_with(speedups: str) -> type:
        monkeypatch.setenv("HERBOT_RASA_SPEEDUPS", speedups)
        get_settings.cache_clear()
        return type(turns.memory_storage())

    try:
        assert storage_with("1") is turns.SweptMemoryStorage
        assert storage_with("0") is turns.WindowMemoryStorage
        monkeypatch.setattr(turns, "LIMITS_WRITTEN_FOR", "2.3.0")
        with caplog.at_level(logging.WARNING, logger="herbot.rasa.guard"):
            assert storage_with("1") is turns.WindowMemoryStorage
        assert "limits 2.4.0 is installed, but herbot's rate-limit sweep was written for 2.3.0" in caplog.text
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()


def _with_turn_slots(monkeypatch, value: str) -> None:
    from herbot.settings import get_settings

    monkeypatch.setenv("HERBOT_CONCURRENT_TURNS", value)
    get_settings.cache_clear()


async def test_rasa_works_on_a_few_turns_at_once_and_the_others_wait_in_line(monkeypatch):
    """Turns past HERBOT_CONCURRENT_TURNS wait, and start in the order they came."""
    import asyncio

    from herbot.rasa.channels.turns import take_turn
    from herbot.settings import get_settings

    _with_turn_slots(monkeypatch, "2")
    running, most, started = set(), [0], []

    async def rasa(message):
        running.add(message.sender_id)
        started.append(message.sender_id)
        most[0] = max(most[0], len(running))
        await asyncio.sleep(0.05)
        running.discard(message.sender_id)

    try:
        # Empty texts: nothing to encode ahead (in worker threads, which finish in any order),
        # so the turns reach the line in the order they are made.
        turns = [asyncio.create_task(take_turn(rasa, Message("", sender_id=f"turn {i}"))) for i in range(7)]
        await asyncio.gather(*turns)
    finally:
        get_settings.cache_clear()
    assert most[0] == 2
    assert started == [f"turn {i}" for i in range(7)]


async def test_a_turn_that_waits_too_long_goes_ahead_and_it_is_logged(monkeypatch, caplog):
    """Turns stuck on a hung action server must not hold up every other conversation."""
    import asyncio

    from herbot.rasa.channels import turns
    from herbot.settings import get_settings

    _with_turn_slots(monkeypatch, "1")
    monkeypatch.setattr(turns, "QUEUE_WAIT_SECONDS", 0.1)
    stuck, answered = asyncio.Event(), []

    async def rasa(message):
        if message.text == "stuck":
            await stuck.wait()
        answered.append(message.text)

    try:
        first = asyncio.create_task(turns.take_turn(rasa, Message("stuck")))
        await asyncio.sleep(0.01)
        await asyncio.wait_for(turns.take_turn(rasa, Message("hello")), 2)
        assert answered == ["hello"]
        assert "went ahead anyway" in caplog.text
        stuck.set()
        await first
    finally:
        get_settings.cache_clear()
    assert answered == ["hello", "stuck"]


async def test_no_limit_when_the_setting_is_0_and_a_negative_one_is_refused(monkeypatch):
    import asyncio

    from herbot.rasa.channels.turns import take_turn
    from herbot.settings import get_settings

    _with_turn_slots(monkeypatch, "0")
    running, most = [0], [0]

    async def rasa(message):
        running[0] += 1
        most[0] = max(most[0], running[0])
        await asyncio.sleep(0.02)
        running[0] -= 1

    try:
        await asyncio.gather(*(take_turn(rasa, Message("", sender_id=str(i))) for i in range(20)))
        assert most[0] == 20
        monkeypatch.setenv("HERBOT_CONCURRENT_TURNS", "-1")
        get_settings.cache_clear()
        with pytest.raises(SystemExit, match="HERBOT_CONCURRENT_TURNS=-1 must be 0 or more"):
            get_settings()
    finally:
        get_settings.cache_clear()
