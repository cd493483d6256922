"""herbot's speed-up of Rasa's action reply check validates exactly as Rasa did."""

import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction

import herbot.channels.rest  # noqa: F401  (installs the speed-ups, as in the Rasa server)

REPLIES = [
    {"events": [], "responses": []},
    {"events": [{"event": "slot", "name": "person", "value": "Samantha"}], "responses": [{"text": "Hi"}]},
    {"responses": [{"response": "utter_greet"}]},
    {"events": "not a list", "responses": []},
    {"events": [{"no_event_key": 1}], "responses": []},
    {"events": [], "responses": "nope"},
]


def rasa_verdict(reply: dict) -> bool:
    try:
        jsonschema.validate(reply, RemoteAction.action_response_format_spec())
    except jsonschema.ValidationError:
        return False
    return True


@pytest.mark.parametrize("reply", REPLIES)
def test_action_replies_are_judged_as_rasa_judges_them(reply):
    action = RemoteAction("action_answer_question", None)
    if rasa_verdict(reply):
        assert action._validate_action_result(reply) is True
    else:
        with pytest.raises(jsonschema.ValidationError, match="Failed to validate Action server response"):
            action._validate_action_result(reply)


def test_the_speed_up_is_installed_in_the_rasa_server_process():
    from herbot import rasa_speedups

    assert RemoteAction._validate_action_result is rasa_speedups._validate_action_result
