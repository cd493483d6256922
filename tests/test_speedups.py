"""herbot's speed-ups of Rasa (herbot/rasa/speedups.py) give exactly what Rasa's own code gives, and are
installed only where they should be.

The comparisons apply the speed-ups to this test process for one test (the ``sped_up`` fixture)
and hold them against Rasa's own code, kept in ``speedups.RASA_*``: they test herbot's code, and
so run with ``HERBOT_RASA_SPEEDUPS=0`` too. Whether the Rasa server installs them (it does, unless
told not to) is checked in its log (tests/test_serve.py).
"""

import copy
import logging
from datetime import datetime

import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction
from rasa.engine.runner.dask import DaskGraphRunner
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    AllSlotsReset,
    BotUttered,
    ConversationPaused,
    Event,
    FollowupAction,
    ReminderScheduled,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from herbot.rasa import speedups
from herbot.settings import get_settings

# Events of every kind as herbot's bot stores them: its slots, intents, entities, actions and responses.
REAL_EVENTS = [
    SlotSet("last_subject", "Scarlett Johansson as Samantha").as_dict(),
    SlotSet("last_sources", ["her-makes-sci-fi-heartfelt/p3", "facts:cast:Scarlett Johansson"]).as_dict(),
    UserUttered("who plays Samantha?", {"intent": {"name": "ask_cast", "confidence": 0.93},
                                        "entities": [{"entity": "character", "value": "Samantha", "start": 10,
                                                      "end": 18}]}).as_dict(),
    BotUttered("Scarlett Johansson voices Samantha.", {"buttons": []}, {"utter_action": "utter_greet"}).as_dict(),
    ActionExecuted("action_answer_cast", policy="RulePolicy", confidence=1.0).as_dict(),
    FollowupAction("action_listen").as_dict(),
    ReminderScheduled("EXTERNAL_remind", datetime(2026, 11, 28, 12, 0)).as_dict(),
    ActiveLoop(None).as_dict(),
    AllSlotsReset().as_dict(),
    ConversationPaused().as_dict(),
    Restarted().as_dict(),
    SessionStarted().as_dict(),
    {"event": "no_such_kind"},
    {"no_event_key": 1},
    {"event": 7},
]
ODD_VALUES = [None, 12, 1.5, "text", [], [1], {}, {"name": 3}, True]


def mutations(event: dict):
    """The event, then each field in turn given values of every other JSON type."""
    yield event
    for key in event:
        for value in ODD_VALUES:
            changed = copy.deepcopy(event)
            changed[key] = value
            yield changed
    yield {key: value for key, value in event.items() if key != "name"}


REPLIES = [
    {"events": [], "responses": []},
    {"responses": [{"response": "utter_greet"}]},
    {"events": "not a list", "responses": []},
    {"events": [], "responses": "nope"},
    {"events": None},
    [],
    *({"events": [event], "responses": [{"text": "Hi"}]} for base in REAL_EVENTS for event in mutations(base)),
    {"events": [REAL_EVENTS[0], {"event": "slot"}], "responses": []},
]


def rasa_verdict(reply) -> bool:
    try:
        jsonschema.validate(reply, RemoteAction.action_response_format_spec())
    except jsonschema.ValidationError:
        return False
    return True


@pytest.fixture
def sped_up(monkeypatch):
    """The speed-ups applied to this test process for one test, whatever HERBOT_RASA_SPEEDUPS says; undone after."""
    for owner, name, replacement in speedups.PATCHES:
        monkeypatch.setattr(owner, name, replacement)


def test_action_replies_are_judged_as_rasa_judges_them(sped_up):
    """Over 1,000 replies: real events of each kind, and each field of each given every JSON type."""
    action = RemoteAction("action_answer_cast", None)
    judged = {True: 0, False: 0}
    for reply in REPLIES:
        expected = rasa_verdict(reply)
        judged[expected] += 1
        if expected:
            assert action._validate_action_result(reply) is True, reply
        else:
            with pytest.raises(jsonschema.ValidationError) as raised:
                action._validate_action_result(reply)
            with pytest.raises(jsonschema.ValidationError) as by_rasa:
                speedups.RASA_VALIDATE_ACTION_RESULT(action, reply)
            assert raised.value.message == by_rasa.value.message, reply
    assert judged[True] > 100 and judged[False] > 100


def test_events_read_back_as_the_classes_rasa_gives(sped_up):
    for event in REAL_EVENTS[:-3]:
        assert Event.resolve_by_type(event["event"]) is speedups.RASA_RESOLVE_EVENT_TYPE(event["event"])
        assert type(Event.from_parameters(event)) is speedups.RASA_RESOLVE_EVENT_TYPE(event["event"])
    with pytest.raises(ValueError, match="Unknown event name 'no_such_kind'"):
        Event.resolve_by_type("no_such_kind")
    assert Event.resolve_by_type("no_such_kind", default=SlotSet) is SlotSet
    assert Event.resolve_by_type("topic") is None


async def test_the_model_parses_and_predicts_as_with_dask(trained_model, settings, monkeypatch, sped_up):
    """The real trained model, run by herbot's graph runs and by Rasa's dask runner, says the same."""
    from rasa.core.agent import Agent

    agent = Agent.load(str(trained_model[0]))
    texts = ["who plays Samantha?", "did critics like the ending", "hello", "what's the weather", "yes",
             "tell me about Amy Adams", "budget?", "no spoilers please", ""]

    async def run_all():
        results = []
        for text in texts:
            parsed = await agent.parse_message(text)
            tracker = DialogueStateTracker.from_events("speedups", [
                ActionExecuted("action_listen"), UserUttered(text, parsed)], agent.domain.slots)
            prediction = agent.processor._predict_next_with_tracker(tracker)
            results.append((parsed, prediction.max_confidence_index, prediction.policy_name,
                            list(prediction.probabilities)))
        return results

    ours = await run_all()
    monkeypatch.setattr(DaskGraphRunner, "run", speedups.RASA_RUN_GRAPH)
    assert await run_all() == ours
    assert {parsed["intent"]["name"] for parsed, *_ in ours} >= {"greet"}


def test_an_empty_domain_and_herbot_s_are_told_apart_as_rasa_does(domain, sped_up):
    for candidate in (Domain.empty(), Domain.from_dict(domain), Domain.from_dict({"intents": ["greet"]})):
        assert candidate.is_empty() == speedups.RASA_DOMAIN_IS_EMPTY(candidate)
        assert candidate.is_empty() == speedups.RASA_DOMAIN_IS_EMPTY(candidate)  # remembered, same
    assert Domain.empty().is_empty() and not Domain.from_dict(domain).is_empty()


async def test_action_calls_reuse_one_connection_while_it_is_fresh(monkeypatch, sped_up):
    """Rasa opened a new connection for every action call; now one session per endpoint keeps them,
    dropping a connection idle for IDLE_CONNECTION_SECONDS (under the action server's keep-alive)."""
    import asyncio

    from aiohttp import web

    from tests.support.ports import free_ports

    monkeypatch.setattr(speedups, "IDLE_CONNECTION_SECONDS", 0.3)
    peers = []

    async def webhook(request):
        peers.append(request.transport.get_extra_info("peername"))
        return web.json_response({"events": [], "responses": [{"text": "hi"}]})

    app = web.Application()
    app.router.add_post("/webhook", webhook)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_ports(1)[0]
    await web.TCPSite(runner, "127.0.0.1", port).start()
    endpoint = EndpointConfig(f"http://127.0.0.1:{port}/webhook")
    try:
        for _ in range(3):
            assert await endpoint.request(json={"next_action": "x"}, method="post") == {
                "events": [], "responses": [{"text": "hi"}]}
        await asyncio.sleep(1.0)  # idle for longer than the session keeps a connection
        await endpoint.request(json={}, method="post")
    finally:
        await speedups.close_sessions()
        await runner.cleanup()
    assert peers[0] == peers[1] == peers[2], "the first three calls share one connection"
    assert peers[3] != peers[0], "an idle connection is not reused"
    assert speedups.kept_session(endpoint).closed


@pytest.fixture
def rasa_as_shipped(monkeypatch):
    """Rasa's classes put back as they were after a test that installs the speed-ups, and install() forgotten."""
    for owner, name, _ in speedups.PATCHES:
        monkeypatch.setattr(owner, name, owner.__dict__[name])
    speedups.install.cache_clear()
    yield
    speedups.install.cache_clear()
    get_settings.cache_clear()


def _rasa_is_as_shipped() -> bool:
    return all(owner.__dict__[name] is not replacement for owner, name, replacement in speedups.PATCHES)


def test_install_applies_them_once_and_says_so(rasa_as_shipped, monkeypatch, caplog):
    monkeypatch.setenv("HERBOT_RASA_SPEEDUPS", "1")
    get_settings.cache_clear()
    with caplog.at_level(logging.INFO, logger="herbot.rasa.speedups"):
        assert speedups.install() is True and speedups.install() is True
    assert all(owner.__dict__[name] is replacement for owner, name, replacement in speedups.PATCHES)
    installed = [r for r in caplog.records if "speed-ups of Rasa 3.6.21 installed" in r.getMessage()]
    assert len(installed) == 1, "a second install() does nothing"


def test_with_speedups_0_rasa_runs_as_shipped(rasa_as_shipped, monkeypatch, caplog):
    monkeypatch.setenv("HERBOT_RASA_SPEEDUPS", "0")
    get_settings.cache_clear()
    with caplog.at_level(logging.INFO, logger="herbot.rasa.speedups"):
        assert speedups.install() is False
    assert _rasa_is_as_shipped()
    assert "HERBOT_RASA_SPEEDUPS=0: Rasa runs as shipped" in caplog.text


def test_on_a_rasa_they_were_not_written_for_they_stay_out_with_a_warning(rasa_as_shipped, monkeypatch, caplog):
    monkeypatch.setenv("HERBOT_RASA_SPEEDUPS", "1")
    get_settings.cache_clear()
    monkeypatch.setattr(speedups, "RASA_WRITTEN_FOR", "3.6.20")
    with caplog.at_level(logging.WARNING, logger="herbot.rasa.guard"):
        assert speedups.install() is False
    assert _rasa_is_as_shipped()
    assert "rasa 3.6.21 is installed, but herbot's speed-ups of Rasa was written for 3.6.20: left out, rasa runs " \
           "as shipped" in caplog.text


def test_a_bad_speedups_setting_is_refused_in_one_line(monkeypatch):
    monkeypatch.setenv("HERBOT_RASA_SPEEDUPS", "off")
    get_settings.cache_clear()
    try:
        with pytest.raises(SystemExit, match=r"HERBOT_RASA_SPEEDUPS='off' must be 1 \(herbot's speed-ups of Rasa\) "
                                             r"or 0 \(Rasa as shipped\)"):
            get_settings()
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
