"""A grading worker that breaks the pool's protocol on request (for tests/reward_fns/test_worker_pool.py).

Speaks the protocol of ``reward_fns.pool_worker``: a ready frame, then one JSON reply per
request. ``function == "echo"`` replies properly with the arguments; ``function ==
"misbehave"`` answers in the way ``args[0]`` names: malformed JSON, another request's id, two
replies, an oversized frame, or a pickle that would run ``args[1]`` as a shell command if the
pool ever unpickled it.
"""

import json
import os
import pickle
import struct
import sys

FRAME = struct.Struct("!Q")


def send(payload: bytes) -> None:
    os.write(1, FRAME.pack(len(payload)) + payload)


def reply(request_id, value) -> bytes:
    return json.dumps({"id": request_id, "status": "ok", "value": value}).encode()


class _RunsCommand:
    def __init__(self, command):
        self.command = command

    def __reduce__(self):
        return (os.system, (self.command,))


def main() -> None:
    send(json.dumps({"id": None, "status": "ready", "value": None}).encode())
    stdin = sys.stdin.buffer
    while True:
        header = stdin.read(FRAME.size)
        if len(header) < FRAME.size:
            return
        request = json.loads(stdin.read(FRAME.unpack(header)[0]))
        rid, args = request["id"], request["args"]
        if request["function"] == "echo":
            send(reply(rid, args))
            continue
        mode = args[0]
        if mode == "malformed":
            send(b"{not json")
        elif mode == "wrong_id":
            send(reply(rid + 1000, "forged"))
        elif mode == "duplicate":
            first, second = reply(rid, "first"), reply(rid, "second")
            os.write(1, FRAME.pack(len(first)) + first + FRAME.pack(len(second)) + second)
        elif mode == "oversized":
            os.write(1, FRAME.pack(1 << 30) + b"x" * 1024)
        elif mode == "pickle":
            send(pickle.dumps(_RunsCommand(args[1])))


if __name__ == "__main__":
    main()
