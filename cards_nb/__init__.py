__version__ = "0.1.0"

# Import-time settings that must precede torch and fastai, whichever cards_nb module is imported first (this file runs
# before any of them). OpenMP threads that spin while they wait make torch several times slower when another process
# shares the cores, and threads that sleep at once make it up to 1.75x slower alone; a short spin is as fast as spinning
# alone (benchmarks/load.py), and `core.fit_threads` gives up the cores other processes use. The variable is read when
# the OpenMP runtime loads. fastai 2.8 decorates a few layers
# with `torch.jit.script`, which torch 2.14 deprecates with a warning at import time: noise for users, nothing to act on.
import os as _os, warnings as _warnings
if 'OMP_WAIT_POLICY' not in _os.environ and 'GOMP_SPINCOUNT' not in _os.environ:   # a user's own choice of either wins
    _os.environ['GOMP_SPINCOUNT'] = '10000'
_warnings.filterwarnings('ignore', message=r'`torch\.jit\.script` is deprecated', category=FutureWarning)
