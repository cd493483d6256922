"""knowledge/once.py: what a process makes once is made once, also when threads ask for it together."""

import threading
import time

import pytest

from knowledge.once import once


def test_threads_asking_together_wait_for_the_one_being_made():
    made = []

    @once
    def model(name):
        made.append(name)
        time.sleep(0.2)  # long enough for every thread to ask while it is being made
        return object()

    got = []
    threads = [threading.Thread(target=lambda: got.append(model("minilm"))) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert made == ["minilm"] and len(got) == 8 and all(item is got[0] for item in got)
    assert model("other") is not got[0] and made == ["minilm", "other"]


def test_peek_makes_nothing_and_cache_clear_forgets():
    @once
    def secret():
        return object()

    assert secret.peek() is None
    first = secret()
    assert secret.peek() is first and secret() is first
    secret.cache_clear()
    assert secret.peek() is None and secret() is not first


def test_a_key_leaves_out_what_only_says_how_to_make_it():
    @once(key=lambda encoder, cache_dir=None: encoder)
    def classifier(encoder, cache_dir=None):
        return (encoder, cache_dir)

    assert classifier("enc", "/tmp/cache") is classifier("enc") is classifier("enc", cache_dir="/elsewhere")


def test_a_failure_is_not_kept():
    calls = []

    @once
    def flaky():
        calls.append(1)
        if len(calls) == 1:
            raise OSError("not yet")
        return "made"

    with pytest.raises(OSError):
        flaky()
    assert flaky() == "made" and len(calls) == 2
