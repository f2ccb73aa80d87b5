__version__ = "0.1.0"

# Import-time settings that must precede torch and fastai, whichever cards_nb module is imported first (this file runs
# before any of them). OpenMP threads that spin while they wait make torch many times slower when another process shares
# the cores (benchmarks/load.py); the variable is read when the OpenMP runtime loads. fastai 2.8 decorates a few layers
# with `torch.jit.script`, which torch 2.14 deprecates with a warning at import time: noise for users, nothing to act on.
import os as _os, warnings as _warnings
_os.environ.setdefault('OMP_WAIT_POLICY', 'PASSIVE')
_warnings.filterwarnings('ignore', message=r'`torch\.jit\.script` is deprecated', category=FutureWarning)
