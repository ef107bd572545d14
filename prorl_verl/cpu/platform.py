"""A verl platform for machines without an accelerator.

verl 0.9.1 ships CUDA, ROCm and Ascend platforms only; this one lets its real trainer run on
the CPU (tests, the demo, debugging a recipe on a laptop). It is registered under the name
``cpu`` and chosen only when ``VERL_PLATFORM=cpu`` is set, which :mod:`prorl_verl.cpu.mode`
does for runs with ``trainer.device=cpu``; on a GPU machine nothing here is used.

Ray still schedules verl's workers on a resource named ``GPU`` (verl's resource pools count
"GPUs"), so CPU mode declares logical GPUs to Ray; each one is just a CPU worker process.
"""

import os
from contextlib import contextmanager
from types import ModuleType

import psutil
import torch
from verl.plugin.platform import PlatformBase, PlatformRegistry

from prorl_verl.cpu import PLATFORM_NAME


def _host_memory_info() -> tuple[int, int]:
    memory = psutil.virtual_memory()
    return memory.available, memory.total


def _process_rss(*_args, **_kwargs) -> int:
    return psutil.Process(os.getpid()).memory_info().rss


def _cpu_device_module() -> ModuleType:
    """``torch.cpu`` plus the memory and RNG calls verl makes on ``torch.cuda``.

    Memory figures are the process's resident set (allocated/reserved) and the host's
    free/total memory, so verl's memory logging still says something true.
    """
    module = ModuleType("prorl_verl_cpu_device")
    module.__dict__.update({k: v for k, v in vars(torch.cpu).items() if not k.startswith("__")})
    module.__dict__.update(
        empty_cache=lambda *a, **k: None,
        ipc_collect=lambda *a, **k: None,
        reset_peak_memory_stats=lambda *a, **k: None,
        set_per_process_memory_fraction=lambda *a, **k: None,
        memory_allocated=_process_rss,
        memory_reserved=_process_rss,
        max_memory_allocated=_process_rss,
        max_memory_reserved=_process_rss,
        mem_get_info=lambda *a, **k: _host_memory_info(),
        get_rng_state=lambda *a, **k: torch.get_rng_state(),
        set_rng_state=lambda state, *a, **k: torch.set_rng_state(state),
        get_device_name=lambda *a, **k: "cpu",
        Event=torch.Event,
    )
    return module


_DEVICE_MODULE = _cpu_device_module()


@PlatformRegistry.register(platform=PLATFORM_NAME)
class PlatformCPU(PlatformBase):
    @property
    def device_name(self) -> str:
        return "cpu"

    @property
    def vendor_name(self) -> str:
        return "cpu"

    @property
    def device_module(self) -> ModuleType:
        return _DEVICE_MODULE

    def is_available(self) -> bool:
        return True

    def is_platform_available(self, use_smi_check=False) -> bool:
        # Never auto-detected: CPU mode is an explicit choice (VERL_PLATFORM=cpu).
        return False

    def current_device(self) -> str:
        # verl calls ``tensor.to(get_device_id())``; an int would mean cuda:<int>.
        return "cpu"

    def device_count(self) -> int:
        return 1

    def set_device(self, device_index) -> None:
        return None

    def synchronize(self, device_index=None) -> None:
        return None

    def manual_seed(self, seed: int) -> None:
        torch.manual_seed(seed)

    def manual_seed_all(self, seed: int) -> None:
        torch.manual_seed(seed)

    def set_allocator_settings(self, settings: str) -> None:
        return None

    def empty_cache(self) -> None:
        return None

    def get_device_capability(self, device_index: int = 0):
        return None, None

    def communication_backend_name(self) -> str:
        return "gloo"

    def visible_devices_envvar(self) -> str:
        return "CUDA_VISIBLE_DEVICES"

    @contextmanager
    def nvtx_range(self, msg: str):
        yield

    def profiler_start(self) -> None:
        return None

    def profiler_stop(self) -> None:
        return None

    def ray_resource_name(self) -> str:
        return "GPU"

    def ray_noset_envvars(self) -> list[str]:
        return []

    def is_ipc_supported(self) -> bool:
        return False

    def cudart(self):
        return None
