"""Generations on disk, one JSONL file per model and eval set, written as they are made.

Rule: each line holds every completion of one prompt — ``{"index", "prompt_sha256",
"completions": [{"text", "num_tokens", "ended_with_eos"}, ...]}`` — and is appended and
fsynced as soon as the prompt is done, so a run that is stopped loses at most the prompt in
flight. A sidecar ``<name>.meta.json`` records what produced the file (model, data file,
sampling settings); a later run reuses the file only when those match, and each line's prompt
hash must match the data row of that index, so stale generations are never scored against
different prompts. A torn last line (the process died mid-write) is reported and cut off.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from pathlib import Path

from prorl_verl.eval.completion import Completion

logger = logging.getLogger(__name__)


def prompt_sha256(messages: list[dict]) -> str:
    """A stable fingerprint of a chat prompt."""
    payload = json.dumps(messages, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


class GenerationStore:
    """The stored completions of one model on one eval set."""

    def __init__(self, path: Path, settings: dict):
        self.path = Path(path)
        self.meta_path = self.path.with_suffix(".meta.json")
        self.settings = settings
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._check_or_write_meta()

    def _check_or_write_meta(self) -> None:
        if self.meta_path.exists():
            stored = json.loads(self.meta_path.read_text())
            if stored != self.settings:
                changed = sorted(
                    key
                    for key in set(stored) | set(self.settings)
                    if stored.get(key) != self.settings.get(key)
                )
                raise ValueError(
                    f"{self.path} holds generations made with other settings "
                    f"(differs in: {', '.join(changed)}; stored {stored}); "
                    "use another --out directory or delete the file to regenerate"
                )
        else:
            self.meta_path.write_text(json.dumps(self.settings, indent=2, sort_keys=True) + "\n")

    def load(self, prompt_hashes: list[str]) -> dict[int, list[Completion]]:
        """Completions stored so far by prompt index, checked against the current prompts."""
        if not self.path.exists():
            return {}
        raw = self.path.read_bytes()
        lines = raw.split(b"\n")
        # a file written completely ends with a newline, so its last element is empty
        torn = lines.pop()
        if torn:
            logger.warning(
                "%s: last line is incomplete (%d bytes, interrupted write); dropping it and "
                "regenerating that prompt",
                self.path,
                len(torn),
            )
            with open(self.path, "r+b") as handle:
                handle.truncate(len(raw) - len(torn))
        stored: dict[int, list[Completion]] = {}
        for line_number, line in enumerate(lines, start=1):
            try:
                record = json.loads(line)
                index = int(record["index"])
                sha = record["prompt_sha256"]
                completions = [
                    Completion(str(c["text"]), int(c["num_tokens"]), bool(c["ended_with_eos"]))
                    for c in record["completions"]
                ]
            except (ValueError, KeyError, TypeError) as error:
                raise ValueError(
                    f"{self.path}, line {line_number}: not a generation record ({error})"
                ) from error
            if not 0 <= index < len(prompt_hashes):
                raise ValueError(
                    f"{self.path}, line {line_number}: prompt index {index} is outside the eval set "
                    f"({len(prompt_hashes)} prompts)"
                )
            if sha != prompt_hashes[index]:
                raise ValueError(
                    f"{self.path}, line {line_number}: prompt {index} differs from the data file's row "
                    f"{index}; the eval set changed since these generations were made"
                )
            if index in stored:
                raise ValueError(f"{self.path}, line {line_number}: prompt {index} is stored twice")
            stored[index] = completions
        return stored

    def append(self, index: int, sha: str, completions: list[Completion]) -> None:
        """Store one prompt's completions durably."""
        record = {
            "index": index,
            "prompt_sha256": sha,
            "completions": [
                {"text": c.text, "num_tokens": c.num_tokens, "ended_with_eos": c.ended_with_eos}
                for c in completions
            ],
        }
        with open(self.path, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
