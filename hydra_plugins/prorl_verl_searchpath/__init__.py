"""Hydra finds verl's own configs (``ppo_trainer`` and its groups) beside the recipes.

With this plugin the ProRL recipes can compose ``ppo_trainer`` and each other freely; a
``hydra.searchpath`` key would only be honoured in the first config of a chain.
"""

from hydra.core.config_search_path import ConfigSearchPath
from hydra.plugins.search_path_plugin import SearchPathPlugin


class VerlConfigSearchPath(SearchPathPlugin):
    def manipulate_search_path(self, search_path: ConfigSearchPath) -> None:
        search_path.append(provider="verl", path="pkg://verl.trainer.config")
