"""CARD-Deck and Fourier heat map speed: three ratios measured in one run.

1. Adaptive deck inference against running only the members its gate chose (the gate's overhead). Target <= 1.05x.
2. Agnostic deck of n members against n separate model calls. Target <= 1.05x.
3. Fourier heat map (`fourier_heat_map`) against a naive loop: for each of the n*n basis images, build it with
   NumPy's inverse FFT, perturb the test images, one forward pass of the model as it is. Target >= 5x faster.
   The ratio is also given without the fast inference copy (`fast=False`), to show where the speed comes from.

Members are ResNet-18s (width `--width`) with masked layers pruned to 90% (random weights: speed does not depend on
training); images come from the shared CIFAR-10 subset when present, random arrays otherwise. Each measurement is
the best of `--repeats` alternated runs. Run it on an idle machine.

    python benchmarks/decks.py [--width 16] [--members 4] [--bs 256] [--images 64] [--repeats 9]
"""
import argparse, time
import numpy as np, torch
from cards_nb.core import setup_torch, seed_everything
from cards_nb.data import BatchPipeline, find_cifar_root, load_cifar, normalize, to_chw, to_float
from cards_nb.models import get_model
from cards_nb.masks import MASKED, prune_by_magnitude
from cards_nb.corruptions import corrupt
from cards_nb.fourier import fourier_heat_map, _perturbation_signs
from cards_nb.decks import CARDDeck, SpectralGate


def best(fn, repeats):
    fn()   # warm-up: one-time allocations and kernel selection are not what is compared
    ts = []
    for _ in range(repeats):
        t0 = time.perf_counter(); fn(); ts.append(time.perf_counter() - t0)
    return min(ts)


def images(n):
    root = find_cifar_root('cifar10')
    if root is not None:
        x, y = load_cifar(root, split='test', download=False); xtr, _ = load_cifar(root, split='train', download=False)
        return x[:n], y[:n], xtr, f'CIFAR-10 subset at {root}'
    rng = np.random.default_rng(0)
    x = rng.integers(0, 256, (max(n, 2048), 32, 32, 3), dtype=np.uint8)
    return x[:n], rng.integers(0, 10, n), x, 'random CIFAR-shaped arrays'


def naive_heat_map(model, x, y, eps=4., seed=0):
    "Yin et al.'s loop: every basis image, one forward pass each, the model as it is (same signs as ours, mirrored)."
    n, N = x.shape[-1], len(x)
    signs = _perturbation_signs(n * n, N, 3, seed).float()[..., None, None]
    err = np.zeros((n, n))
    with torch.inference_mode():
        for u in range(n):
            for v in range(n):
                spec = np.zeros((n, n)); spec[(u - n // 2) % n, (v - n // 2) % n] = 1
                basis = np.fft.ifft2(spec).real; basis /= np.linalg.norm(basis)
                xp = (x + eps * signs[u * n + v] * torch.from_numpy(basis).float()).clamp(0, 1)
                err[u, v] = (model(normalize(xp)).argmax(-1) != y).float().mean().item()
    return err


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--width', type=int, default=16); ap.add_argument('--members', type=int, default=4)
    ap.add_argument('--bs', type=int, default=256); ap.add_argument('--images', type=int, default=64)
    ap.add_argument('--repeats', type=int, default=9); ap.add_argument('--threads', type=int, default=None)
    a = ap.parse_args()
    threads = setup_torch(a.threads); seed_everything(0)
    xs, ys, xtr, src = images(max(a.bs, a.images))
    print(f"{a.members} ResNet-18 (width {a.width}) members, 90% sparse; batch {a.bs}; {threads} threads; data: {src}")
    members = []
    for _ in range(a.members):
        m = get_model('resnet18', width=a.width, layers=MASKED); prune_by_magnitude(m, 0.9); members.append(m.eval())
    groups = ['augmix', 'gaussian'] * (a.members // 2) + ['augmix'] * (a.members % 2)
    gate = SpectralGate.from_images(xtr, ['augmix', 'gaussian'])
    adaptive, agnostic = CARDDeck(members, groups, 'adaptive', gate), CARDDeck(members, groups, 'agnostic')
    gate.recording = False
    xb, _ = BatchPipeline('none')((torch.from_numpy(corrupt(xs[:a.bs], 'gaussian_noise', 3)), torch.zeros(a.bs)))

    with torch.inference_mode():
        chosen = [i for i, g in enumerate(groups) if g == gate.groups[int(gate(xb).argmax())]]
        run_adaptive, run_chosen = lambda: adaptive(xb), lambda: torch.stack([members[i](xb).softmax(-1) for i in chosen]).mean(0)
        run_agnostic, run_separate = lambda: agnostic(xb), lambda: [m(xb) for m in members]
        t = {f: float('inf') for f in (run_adaptive, run_chosen, run_agnostic, run_separate)}
        for _ in range(a.repeats):   # alternated, so that a busy moment hits all four alike
            for f in t: t[f] = min(t[f], best(f, 1))
        # 1. the adaptive deck against the members it chose, combined the same way; 2. the agnostic deck against n separate calls
        t_adaptive, t_chosen, t_agnostic, t_separate = t.values()
    print(f"\nadaptive deck (gate + {len(chosen)} chosen members): {1e3 * t_adaptive:.1f} ms; the chosen members alone: "
          f"{1e3 * t_chosen:.1f} ms: ratio {t_adaptive / t_chosen:.3f} (target <= 1.05)")
    print(f"agnostic deck of {a.members}: {1e3 * t_agnostic:.1f} ms; {a.members} separate model calls: {1e3 * t_separate:.1f} ms: "
          f"ratio {t_agnostic / t_separate:.3f} (target <= 1.05)")

    # 3. Fourier heat map on `images` test images (one repeat each: these take seconds to minutes)
    model = get_model('resnet18', width=a.width).eval()
    x, y = to_float(to_chw(torch.from_numpy(xs[:a.images]))), torch.as_tensor(ys[:a.images])
    t0 = time.perf_counter(); ref = naive_heat_map(model, x, y); t_naive = time.perf_counter() - t0
    t0 = time.perf_counter(); plain = fourier_heat_map(model, xs[:a.images], ys[:a.images], fast=False, show_progress=False); t_plain = time.perf_counter() - t0
    t0 = time.perf_counter(); ours = fourier_heat_map(model, xs[:a.images], ys[:a.images], show_progress=False); t_ours = time.perf_counter() - t0
    t0 = time.perf_counter(); bf16 = fourier_heat_map(model, xs[:a.images], ys[:a.images], dtype=torch.bfloat16, show_progress=False); t_bf16 = time.perf_counter() - t0
    print(f"\nFourier heat map, {a.images} images x 1024 frequencies: naive loop {t_naive:.1f} s; ours {t_ours:.1f} s: "
          f"{t_naive / t_ours:.1f}x faster (target >= 5x); without the fast inference copy {t_plain:.1f} s ({t_naive / t_plain:.1f}x); "
          f"in bfloat16 {t_bf16:.1f} s ({t_naive / t_bf16:.1f}x, max map difference {np.abs(bf16 - ours).max():.3f})")
    print(f"maps agree: mean |ours - naive| = {np.abs(ours - ref).mean():.4f} (different signs on the mirrored half), "
          f"|ours - fast=False| max {np.abs(ours - plain).max():.4f}")


if __name__ == '__main__':
    main()
