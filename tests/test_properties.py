"""Property-based: random Unicode, sizes and shapes at the REST channel and the retrieval API.

Whatever arrives, the REST channel reads it or refuses it with a RequestError (never any
other exception, never a 5xx from the real server), and retrieval returns hits or a
QueryError.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from herbot.channels.rest import RequestError, read_request
from knowledge.retrieval import Filters, QueryError

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)
BODIES = (
    st.binary(max_size=2000)
    | JSON.map(lambda value: json.dumps(value).encode())
    | st.fixed_dictionaries({"sender": st.text(max_size=40) | JSON, "message": st.text(max_size=3000) | JSON})
    .map(lambda value: json.dumps(value).encode())
)


@given(BODIES)
def test_any_body_is_read_or_refused_with_a_reason(body):
    try:
        sender, text, metadata = read_request(body)
    except RequestError as error:
        assert str(error)
    else:
        assert sender.strip() and isinstance(text, str) and (metadata is None or isinstance(metadata, dict))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(question=st.text(max_size=3000), spoilers=st.booleans(), top_k=st.integers(min_value=-2, max_value=50))
def test_any_question_gets_hits_or_a_query_error(retriever, question, spoilers, top_k):
    try:
        hits = retriever.search(question, top_k=top_k, filters=Filters(spoilers=spoilers))
    except QueryError as error:
        assert str(error)
    else:
        assert len(hits) <= max(top_k, 0)
        assert all(hit.score >= retriever.min_score for hit in hits)
        assert all(hit.sentence in (hit.passage.sentences or (hit.passage.text,)) for hit in hits)


@pytest.mark.slow
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=BODIES, message=st.text(min_size=1, max_size=500))
def test_the_real_server_never_answers_5xx(bot, body, message):
    for payload in (body, json.dumps({"sender": uuid.uuid4().hex, "message": message}).encode()):
        request = urllib.request.Request(f"{bot[0]}/webhooks/rest/webhook", data=payload,
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=120) as response:
                status = response.status
        except urllib.error.HTTPError as error:
            status = error.code
        assert status < 500, (payload[:200], status)
