"""The remote infini-gram backend against a local stand-in server on 127.0.0.1 (no network)."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from prorl_verl.eval.creativity import InfiniGramAPI, InfiniGramError, build_index

DOCUMENTS = ["the cat sat on the mat today", "a dog ran far away"]


class CountServer(ThreadingHTTPServer):
    """Answers the documented count query by substring counting over DOCUMENTS."""

    def __init__(self):
        super().__init__(("127.0.0.1", 0), CountHandler)
        self.payloads: list[dict] = []
        self.fail_next = 0  # answer this many requests with HTTP 503 first


class CountHandler(BaseHTTPRequestHandler):
    def log_message(self, *args):  # keep test output quiet
        pass

    def do_POST(self):
        payload = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.server.payloads.append(payload)
        if self.server.fail_next:
            self.server.fail_next -= 1
            self.send_response(503)
            self.end_headers()
            return
        query = payload["query"]
        if "FORBIDDEN" in query:
            answer = {"error": "query refused"}
        else:
            answer = {
                "count": sum(f" {d} ".count(f" {query} ") for d in DOCUMENTS),
                "approx": False,
            }
        body = json.dumps(answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def server():
    server = CountServer()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def api(server, **kw):
    host, port = server.server_address
    return InfiniGramAPI("test_index", f"http://{host}:{port}/", backoff=0, **kw)


def test_remote_counts_give_the_local_index_values(server, tmp_path):
    remote = api(server)
    local = build_index(DOCUMENTS, tmp_path, progress=False)
    text = "a cat sat on the mat now"
    for length in (1, 2, 3, 5, 6):
        assert remote.uniqueness(text, length) == local.uniqueness(text, length)
    assert remote.uniqueness(text, 3) == pytest.approx(2 / 7)
    first = server.payloads[0]
    assert first["index"] == "test_index" and first["query_type"] == "count"


def test_each_span_is_asked_once_and_requests_stay_linear(server):
    remote = api(server)
    text = " ".join(["cat sat on the mat"] * 20)  # 100 words
    remote.creativity_index(text)
    asked = len(server.payloads)
    assert asked <= 2 * 100 + 12
    assert len({p["query"] for p in server.payloads}) == asked
    remote.creativity_index(text)
    assert len(server.payloads) == asked  # all answers cached


def test_transient_failures_are_retried(server):
    server.fail_next = 2
    remote = api(server, retries=2)
    assert remote.count(["the", "cat"]) == 1
    assert len(server.payloads) == 3


def test_persistent_failure_names_the_url_and_span(server):
    server.fail_next = 10
    with pytest.raises(InfiniGramError, match=r"127\.0\.0\.1.*'the cat'.*2 attempts"):
        api(server, retries=1).count(["the", "cat"])


def test_refused_query_is_not_retried(server):
    with pytest.raises(InfiniGramError, match="refused.*query refused"):
        api(server).count(["FORBIDDEN"])
    assert len(server.payloads) == 1


def test_unreachable_endpoint(server):
    host, port = server.server_address
    server.shutdown()
    server.server_close()
    remote = InfiniGramAPI("x", f"http://{host}:{port}/", retries=0, timeout=2)
    with pytest.raises(InfiniGramError, match="did not answer"):
        remote.count(["a"])


def test_only_http_urls():
    with pytest.raises(ValueError, match="http"):
        InfiniGramAPI("x", "file:///etc/passwd")
