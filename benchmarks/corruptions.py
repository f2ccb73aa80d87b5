"""Images per second of `cards_nb.corruptions.corrupt` against the per-image reference generator, per corruption and for the 19 x 5 set.

The reference is `corruptions_reference.py` beside this file: Hendrycks' `make_cifar_c.py` (CIFAR constants) run one
image at a time with NumPy/SciPy/scikit-image/OpenCV, exactly the algorithms `corrupt` batches. Both run in the
same run, on the same images, and use the same number of cores: the work is split over `--procs` worker processes
(one thread each) for the reference and for `corrupt` (with `--procs 0`, `corrupt` runs in this process with
`--threads` torch threads instead; at 32 x 32 pixels the per-op work is small, and separate processes use two cores
better than torch's intra-op threads do). Each worker gets the images once when it starts and does one task per
corruption (all severities), so the timings measure corrupting, not moving images between processes; one-time set-up
that does not grow with the number of images (importing, frost textures, zoom-blur matrices) is done before timing.
The reference is timed on `--ref-n` images (it is slow), ours on `--n`; speeds are images per second (one image at
one severity counts as one). The summary lines extrapolate both to the full CIFAR-10-C job, 10,000 test images x 19
corruptions x 5 severities, and then `make_cifar_c` itself makes that job end to end (`--full`: process start-up and
writing the files included) in `--procs` processes.
Target: under 3 minutes on 2 CPU cores, at least 10x faster than the reference.

    python benchmarks/corruptions.py [--n 1017] [--ref-n 100] [--procs 2] [--threads 1] [--names fog,frost] [--device cpu] [--full 10000]
"""
import os
os.environ.setdefault('OMP_NUM_THREADS', '1')   # reference workers: one thread each (torch gets --threads below)
import argparse, multiprocessing as mp, sys, time
from pathlib import Path
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))


_IMAGES = None   # each worker process gets the images once, when it starts: the timings measure corrupting, not moving images


def _init(images, ours):
    global _IMAGES
    _IMAGES = images
    if ours:
        import torch
        torch.set_num_threads(1)
        from cards_nb.corruptions import corrupt, CORRUPTIONS, SEVERITIES
        # one-time set-up that does not grow with the number of images (frost textures, zoom-blur matrices): before timing
        for name in CORRUPTIONS:
            for s in SEVERITIES: corrupt(images[:2], name, s)


def _checksum(outs): return int(sum(int(o.sum(dtype=np.int64)) for o in outs))   # so that the work cannot be skipped


def _ref_worker(args):
    "The reference on images[start:stop] at each severity, in a worker process."
    from corruptions_reference import reference_corrupt
    (start, stop), name, severities, seed = args
    return _checksum(reference_corrupt(_IMAGES[start:stop], name, s, seed=seed) for s in severities)


def _ours_worker(args):
    from cards_nb.corruptions import corrupt
    (start, stop), name, severities, seed = args
    return _checksum(corrupt(_IMAGES[start:stop], name, s, seed=seed, device='cpu') for s in severities)


def _slices(n, procs):
    "`procs` (start, stop) slices of n images: one task per worker process."
    edges = np.linspace(0, n, procs + 1).round().astype(int)
    return list(zip(edges[:-1].tolist(), edges[1:].tolist()))


def load_images(n):
    from cards_nb.data import find_cifar_root, load_cifar
    root = find_cifar_root('cifar10')
    if root is not None:
        x = load_cifar(root, split='test', download=False)[0]; src = f'CIFAR-10 test images from {root}'
    else:   # smooth random images (a CIFAR-like spectrum matters for some corruptions' cost, e.g. spatter's edges)
        import torch, torch.nn.functional as F
        g = torch.Generator().manual_seed(0)
        x = F.interpolate(torch.rand(max(n, 1), 3, 8, 8, generator=g), size=32, mode='bilinear') * 255
        x = x.round().byte().permute(0, 2, 3, 1).numpy(); src = 'random smooth 32x32 images'
    reps = -(-n // len(x))
    return np.concatenate([x] * reps)[:n], src


def time_ours(corrupt, pool, procs, x, name, severities, device):
    import torch
    if pool is not None:   # split over worker processes, like the reference
        t0 = time.perf_counter()
        pool.map(_ours_worker, [(sl, name, severities, i) for i, sl in enumerate(_slices(len(x), procs))])
        return time.perf_counter() - t0, float('nan')
    sync = (lambda: torch.cuda.synchronize()) if device.startswith('cuda') else (lambda: None)
    for s in severities: corrupt(x[:8], name, s, device=device)   # warm-up: caches, frost textures, zoom matrices, kernels
    sync()
    w0, c0 = time.perf_counter(), time.process_time()
    for s in severities: corrupt(x, name, s, device=device)
    sync()
    return time.perf_counter() - w0, time.process_time() - c0


def time_reference(pool, procs, x, name, severities):
    t0 = time.perf_counter()
    pool.map(_ref_worker, [(sl, name, severities, i) for i, sl in enumerate(_slices(len(x), procs))])
    return time.perf_counter() - t0


def _cpu(t): return f"{t:8.2f}" if t == t else f"{'-':>8s}"   # CPU seconds are measured in-process only


class _Null:
    def __enter__(self): return None
    def __exit__(self, *exc): return False


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--n', type=int, default=1017, help='images for ours (default: the shared CIFAR-10 test subset)')
    ap.add_argument('--ref-n', type=int, default=100, help='images for the reference (it is slow)')
    ap.add_argument('--procs', type=int, default=2, help='worker processes for the reference and for ours (0: ours in this process)')
    ap.add_argument('--threads', type=int, default=1, help='torch threads for ours when it runs in this process (--procs 0)')
    ap.add_argument('--names', default='', help='comma-separated corruptions (default: all 19)')
    ap.add_argument('--device', default='cpu')
    ap.add_argument('--full', type=int, default=10000, help='then time make_cifar_c end to end on this many images (the test '
                    'images repeated), in --procs processes, writing to a temporary folder (0: skip; 10,000 images write 2.9 GB)')
    a = ap.parse_args()
    import torch
    torch.set_num_threads(a.threads)
    from cards_nb.corruptions import corrupt, CORRUPTIONS, SEVERITIES
    names = a.names.split(',') if a.names else list(CORRUPTIONS)
    x, src = load_images(max(a.n, a.ref_n))
    xo, xr = x[:a.n], x[:a.ref_n]
    load = os.getloadavg()[0] if hasattr(os, 'getloadavg') else float('nan')
    how = f"{a.procs} processes x 1 thread" if a.procs else f"this process, {a.threads} torch threads on {a.device}"
    print(f"{src}; ours: {a.n} images in {how}; reference: {a.ref_n} images in {max(a.procs, 1)} processes; "
          f"{os.cpu_count()} CPUs, load average {load:.1f} at start")
    ctx = mp.get_context('spawn')
    with ctx.Pool(max(a.procs, 1), initializer=_init, initargs=(xr, False)) as pool, \
         (ctx.Pool(a.procs, initializer=_init, initargs=(xo, True)) if a.procs else _Null()) as opool:
        pool.map(_ref_worker, [((0, 2), 'contrast', (1,), 0)] * max(a.procs, 1))   # import the workers' libraries
        if opool is not None: opool.map(_ours_worker, [((0, 2), 'contrast', (1,), 0)] * a.procs)
        print(f"{'corruption':18s} {'ours img/s':>11s} {'(CPU s)':>8s} {'ref img/s':>10s} {'speed-up':>9s}")
        tot_o = tot_c = tot_r = 0.
        for name in names:
            to, tc = time_ours(corrupt, opool, a.procs, xo, name, SEVERITIES, a.device)
            tr = time_reference(pool, max(a.procs, 1), xr, name, SEVERITIES)
            io, ir = len(SEVERITIES) * a.n / to, len(SEVERITIES) * a.ref_n / tr
            tot_o += to / a.n; tot_c += tc / a.n; tot_r += tr / a.ref_n
            print(f"{name:18s} {io:11.0f} {_cpu(tc)} {ir:10.1f} {io / ir:8.1f}x", flush=True)
    k = len(names) * len(SEVERITIES)
    print(f"{'all ' + str(len(names)) + ' x ' + str(len(SEVERITIES)):18s} {k / tot_o:11.0f} {_cpu(tot_c * a.n)} "
          f"{k / tot_r:10.1f} {tot_r / tot_o:8.1f}x")
    cpu = f", {tot_c * 1e4:.0f} s CPU" if tot_c == tot_c else ""
    print(f"extrapolated to 10,000 images x {len(names)} x {len(SEVERITIES)}: ours {tot_o * 1e4:.0f} s "
          f"({tot_o * 1e4 / 60:.1f} min wall{cpu}), reference {tot_r * 1e4:.0f} s ({tot_r * 1e4 / 60:.1f} min); "
          f"target: under 180 s, at least 10x")
    if a.full:
        import shutil, tempfile
        from cards_nb.cifar_c import make_cifar_c
        xf = load_images(a.full)[0]
        tmp = Path(tempfile.mkdtemp(prefix='cifar-c-bench-'))
        try:
            t0 = time.perf_counter()
            make_cifar_c(tmp/'c', xf, np.zeros(len(xf), np.int64), workers=max(a.procs, 1), device=a.device, show_progress=False)
            t = time.perf_counter() - t0
            size = sum(f.stat().st_size for f in (tmp/'c').glob('*.npy')) / 2**30
        finally: shutil.rmtree(tmp, ignore_errors=True)
        ref = tot_r * a.full * len(CORRUPTIONS) / len(names)
        print(f"make_cifar_c, {a.full:,} images x {len(CORRUPTIONS)} x {len(SEVERITIES)} in {max(a.procs, 1)} processes, end to end "
              f"(start-up and {size:.1f} GB of files included): {t:.0f} s; the reference at its rate above: {ref:.0f} s; "
              f"{ref / t:.1f}x")


if __name__ == '__main__': main()
