"""Convert the ProRL training, validation and evaluation data into verl parquet rows.

One converter per source (``data_prep/sources/``), reasoning-gym generated locally
(``data_prep/reasoning_gym.py``), blends concatenated with a fixed shuffle seed
(``data_prep/blends.py``). Run ``python -m data_prep --help``.
"""
