"""The test process imports torch, Ray, transformers and verl, as every process of a CPU run
does, and collects garbage as they do (see prorl_verl.cpu.process_cost)."""

from prorl_verl.cpu.process_cost import collect_less_often

collect_less_often()
