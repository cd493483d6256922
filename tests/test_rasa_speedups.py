"""herbot's speed-ups of Rasa (herbot/rasa/speedups.py) give exactly what Rasa's own code gives."""

import copy
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

import herbot.rasa.channels.rest  # noqa: F401  (installs the speed-ups, as in the Rasa server)
from herbot.rasa import speedups

REAL_EVENTS = [
    SlotSet("person", "Samantha").as_dict(),
    SlotSet("last_passages", [{"review": "ebert", "score": 0.71}]).as_dict(),
    UserUttered("who plays Samantha?", {"intent": {"name": "ask_cast", "confidence": 0.93},
                                        "entities": [{"entity": "person", "value": "Samantha", "start": 10,
                                                      "end": 18}]}).as_dict(),
    BotUttered("Scarlett Johansson voices Samantha.", {"buttons": []}, {"utter_action": "utter_x"}).as_dict(),
    ActionExecuted("action_answer_question", policy="RulePolicy", confidence=1.0).as_dict(),
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


def test_action_replies_are_judged_as_rasa_judges_them():
    """Over 1,000 replies: real events of each kind, and each field of each given every JSON type."""
    action = RemoteAction("action_answer_question", None)
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


def test_events_read_back_as_the_classes_rasa_gives():
    for event in REAL_EVENTS[:-3]:
        assert Event.resolve_by_type(event["event"]) is speedups.RASA_RESOLVE_EVENT_TYPE(event["event"])
        assert type(Event.from_parameters(event)) is speedups.RASA_RESOLVE_EVENT_TYPE(event["event"])
    with pytest.raises(ValueError, match="Unknown event name 'no_such_kind'"):
        Event.resolve_by_type("no_such_kind")
    assert Event.resolve_by_type("no_such_kind", default=SlotSet) is SlotSet
    assert Event.resolve_by_type("topic") is None


async def test_the_model_parses_and_predicts_as_with_dask(trained_model, settings, monkeypatch):
    """The real trained model, run by herbot's graph order and by Rasa's dask runner, says the same."""
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


def test_the_speed_ups_are_installed_in_the_rasa_server_process():
    assert RemoteAction._validate_action_result is speedups._validate_action_result
    assert DaskGraphRunner.run is speedups._run_graph
    assert Event.resolve_by_type is speedups._resolve_event_type
    assert Domain.is_empty is speedups._domain_is_empty
    assert EndpointConfig.session is speedups._endpoint_session


def test_an_empty_domain_and_herbot_s_are_told_apart_as_rasa_does(domain):
    for candidate in (Domain.empty(), Domain.from_dict(domain), Domain.from_dict({"intents": ["greet"]})):
        assert candidate.is_empty() == speedups.RASA_DOMAIN_IS_EMPTY(candidate)
        assert candidate.is_empty() == speedups.RASA_DOMAIN_IS_EMPTY(candidate)  # remembered, same
    assert Domain.empty().is_empty() and not Domain.from_dict(domain).is_empty()


async def test_action_calls_reuse_one_connection_while_it_is_fresh(monkeypatch):
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
    assert endpoint._herbot_session[1].closed
