"""Entry point of a ``KillablePool`` worker process: ``python -m reward_fns.pool_worker MODULE...``."""

import sys

from reward_fns.worker_pool import serve

if __name__ == "__main__":
    serve(sys.argv[1:])
