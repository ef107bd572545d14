"""Entry file for verl's ``reward.custom_reward_function.path``.

verl imports a custom reward file by path, as a lone module, so a file inside the package with
relative imports would break; this one imports the installed package absolutely (and, when the
package is not installed, from the directory this file sits in).
"""

import os
import sys

try:
    from reward_fns import compute_score, compute_score_batch
except ImportError:
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    from reward_fns import compute_score, compute_score_batch

__all__ = ["compute_score", "compute_score_batch"]
