"""A second origin allowed with ``--cors`` gets exactly one ACAO header; a foreign one gets none (issue 16)."""

from __future__ import annotations

import urllib.error
import urllib.request

import pytest
from serving import Serving

from herbot.processes import free_ports

ALLOWED, FOREIGN = "https://site.example", "https://evil.example"


@pytest.fixture(scope="module")
def cors_bot(herbot_home, built_index):
    """A real `herbot serve --cors https://site.example` on free ports."""
    port, action_port = free_ports(2)
    server = Serving(herbot_home, port, action_port, "--cors", ALLOWED)
    try:
        server.wait_for("herbot is ready", timeout=900)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.process.terminate()
        server.finish(timeout=120)


def request(url: str, origin: str, method: str = "GET", **headers: str) -> tuple[int, list[str]]:
    """Status and every Access-Control-Allow-Origin header of a real request from ``origin``."""
    req = urllib.request.Request(url, method=method, headers={"Origin": origin, **headers})
    try:
        with urllib.request.urlopen(req, timeout=30) as response:
            return response.status, response.headers.get_all("Access-Control-Allow-Origin") or []
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get_all("Access-Control-Allow-Origin") or []


PATHS = ["/socket.io/?EIO=4&transport=polling", "/chat/", "/webhooks/rest/"]


@pytest.mark.parametrize("path", PATHS)
def test_allowed_origin_gets_one_header(cors_bot, path):
    status, acao = request(cors_bot + path, ALLOWED)
    assert status == 200
    assert acao == [ALLOWED]


def test_foreign_origin_is_refused_by_socketio(cors_bot):
    status, acao = request(cors_bot + PATHS[0], FOREIGN)
    assert status >= 400
    assert acao == []


@pytest.mark.parametrize("path", PATHS[1:])
def test_foreign_origin_gets_no_header(cors_bot, path):
    assert request(cors_bot + path, FOREIGN)[1] == []


def test_rest_preflight(cors_bot):
    preflight = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"}
    allowed = request(cors_bot + "/webhooks/rest/webhook", ALLOWED, "OPTIONS", **preflight)
    assert allowed[0] < 400 and allowed[1] == [ALLOWED]
    assert request(cors_bot + "/webhooks/rest/webhook", FOREIGN, "OPTIONS", **preflight)[1] == []
