"""The old name of :mod:`lexquery.workers` (moved to the ground floor in December 2026: generic
process plumbing that imports nothing of lexquery, used by ``screen --jobs`` and
``validate --jobs``). The same module object under both names, so that setting
``workers.STALL_SECONDS`` through either name changes the one the workers read."""
import sys

from .. import workers as _workers

sys.modules[__name__] = _workers
