"""The ProRL micro-reproduction (``make repro``, docs/repro.md).

The paper's questions at a scale two CPU cores can run: does RL widen the reasoning
boundary (pass@k), does it keep improving along a long run, and do the KL penalty and the
reference reset matter, over several seeds. Everything goes through the project's own parts:
``recipes/repro_*.yaml`` (composing base.yaml and cpu.yaml), ``prorl_verl.launch`` and verl's
trainer, the reset, ``reward_fns`` and ``prorl_verl.eval``.

- :mod:`.plan`: arms, seeds, budgets (quick and full) and the ordered units of work;
- :mod:`.data`: the chain_sum buckets as verl parquet;
- :mod:`.driver`: runs the units not done yet (resumable);
- :mod:`.results`, :mod:`.report`, :mod:`.figures`: the numbers, tables and PNGs.
"""
