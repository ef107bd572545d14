"""A remote reference corpus: the infini-gram API (e.g. DOLMA v1.7), for machines with network.

Rule: a word span occurs when the endpoint's ``count`` query for the span's text (words
joined by single spaces) returns a count above zero. The request is the documented one —
HTTP POST of ``{"index": <name>, "query_type": "count", "query": <text>}``, answered by
``{"count": <int>, ...}`` or ``{"error": <message>}`` — so any server speaking it can stand
in (the tests run one on 127.0.0.1). The server tokenizes the text with its own tokenizer
(Llama-2 for the public DOLMA index), so "verbatim" means verbatim in its tokens.

Every span is asked once (answers are cached) and a failed request is retried with growing
pauses before the error is raised with the URL and the span. Scoring a response of n words
costs up to about 2n requests; the public endpoint answers in tens of milliseconds plus the
network, so expect seconds per response. Off by default: nothing contacts the network unless
an ``InfiniGramAPI`` is made (the CLI's ``--infini-gram-index``).
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Sequence

from prorl_verl.eval.creativity.coverage import NgramIndex

PUBLIC_ENDPOINT = "https://api.infini-gram.io/"
DOLMA_INDEX = "v4_dolma-v1_7_llama"


class InfiniGramError(RuntimeError):
    """The endpoint could not answer a count query."""


class InfiniGramAPI(NgramIndex):
    """Span counts from an infini-gram HTTP endpoint."""

    def __init__(
        self,
        index: str = DOLMA_INDEX,
        url: str = PUBLIC_ENDPOINT,
        *,
        timeout: float = 30.0,
        retries: int = 3,
        backoff: float = 1.0,
    ):
        if not url.startswith(("http://", "https://")):
            raise ValueError(f"infini-gram endpoint must be an http(s) URL, got {url!r}")
        self.index, self.url = index, url
        self.timeout, self.retries, self.backoff = timeout, retries, backoff
        self._counts: dict[str, int] = {}
        self.requests = 0

    def _post(self, query: str) -> dict:
        payload = json.dumps({"index": self.index, "query_type": "count", "query": query})
        request = urllib.request.Request(
            self.url, data=payload.encode(), headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=self.timeout) as response:
            self.requests += 1
            return json.loads(response.read())

    def count(self, words: Sequence[str]) -> int:
        query = " ".join(words)
        if not query:
            return 0
        if query in self._counts:
            return self._counts[query]
        problem = ""
        for attempt in range(self.retries + 1):
            if attempt:
                time.sleep(self.backoff * 2 ** (attempt - 1))
            try:
                answer = self._post(query)
            except (urllib.error.URLError, TimeoutError, OSError, ValueError) as error:
                problem = f"{type(error).__name__}: {error}"
                continue
            if "error" in answer:  # the server refused the query itself: retrying won't help
                raise InfiniGramError(
                    f"{self.url} (index {self.index}) refused the count of {query[:80]!r}: "
                    f"{answer['error']}"
                )
            count = answer.get("count")
            if isinstance(count, bool) or not isinstance(count, int) or count < 0:
                raise InfiniGramError(
                    f"{self.url} answered the count of {query[:80]!r} without a count: {answer!r:.200}"
                )
            self._counts[query] = count
            return count
        raise InfiniGramError(
            f"{self.url} (index {self.index}) did not answer the count of {query[:80]!r} after "
            f"{self.retries + 1} attempts: {problem}"
        )

    def occurs(self, words: Sequence[str]) -> bool:
        return self.count(words) > 0

    def __repr__(self) -> str:
        return f"InfiniGramAPI(index={self.index!r}, url={self.url!r})"
