"""Work that Rasa 3.6 repeats on every turn, done once instead (same behaviour, less CPU).

Rasa checks every reply of the action server with ``jsonschema.validate``, which first
checks the response *schema* against the JSON Schema meta-schema, on every turn: 16 % of
the Rasa server's CPU under load (py-spy during ``make load``), and the Rasa server is
the process that limits throughput. Here the validator is built and its schema checked
once per process; a reply is still validated in full and a bad one still raises the
same ``ValidationError`` with Rasa's message.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from jsonschema import exceptions
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL


@lru_cache(maxsize=1)
def _action_reply_validator() -> Any:
    schema = RemoteAction.action_response_format_spec()
    validator_class = validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


def _validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
    """Rasa's ``RemoteAction._validate_action_result`` with the validator built once."""
    error = exceptions.best_match(_action_reply_validator().iter_errors(result))
    if error is None:
        return True
    error.message += (
        ". Failed to validate Action server response from API, "
        "make sure your response from the Action endpoint is valid. "
        f"For more information about the format visit {DOCS_BASE_URL}/custom-actions"
    )
    raise error


def install() -> None:
    """Apply to this process (herbot's REST channel calls this when the Rasa server imports it)."""
    RemoteAction._validate_action_result = _validate_action_result

