"""Cost of compression: training-step time of masked, edge-popup and biprop ResNet-18s against the dense one, and
CARD file sizes against dense float32.

Part 1 trains each variant through the same fastai Learner (`card_learner`), same data, batch size and augmentation,
alternating the variants `--repeats` times and keeping each one's best time. Target: every ratio to dense <= 1.25x.
Part 2 writes real CARD files: ResNet-18 magnitude-pruned to 50/80/90/95% (fp32, int8, int4 codes) and biprop models
at the same sparsities (binary), and the 95%-sparse binary wide pre-activation ResNet-18 (target <= 1/60 of dense fp32).

    python benchmarks/compression.py [--width 16] [--steps 20] [--bs 128] [--repeats 2] [--size-width 64]
"""
import argparse, copy, sys, tempfile
from pathlib import Path
import torch
sys.path.insert(0, str(Path(__file__).parent))
from train_step import TrainTimer, bench_dls
from cards_nb.core import setup_torch, seed_everything, get_device
from cards_nb.models import get_model
from cards_nb.masks import MASKED, MaskCallback, prune_by_magnitude
from cards_nb.supermasks import supermask_model
from cards_nb.train import card_learner, Preset
from cards_nb.quantization import quantize_weights
from cards_nb.card_file import save_card, memory_report


def size_table(model, sparsities=(0.5, 0.8, 0.9, 0.95), variants=None, folder=None) -> list[dict]:
    "CARD file bytes and ratio to dense float32 of `model` (masked layers) magnitude-pruned to each of `sparsities`, per variant."
    variants = variants or dict(fp32=lambda m: m, int8=lambda m: quantize_weights(m, 8), int4=lambda m: quantize_weights(m, 4))
    dense = memory_report(model)[-1]['fp32_bytes']
    rows, m = [], copy.deepcopy(model)
    with tempfile.TemporaryDirectory(dir=folder) as d:
        for s in sorted(sparsities):
            prune_by_magnitude(m, s)
            for v, f in variants.items():
                p = save_card(f(m), Path(d)/f'{v}-{s}.card')
                rows.append(dict(sparsity=s, variant=v, bytes=p.stat().st_size, ratio=dense / p.stat().st_size)); p.unlink()
    return rows


def step_time(model, dls, preset, cbs=()):
    "Seconds for one epoch of training steps through the fastai Learner (validation skipped)."
    learn = card_learner(dls, model, preset, cbs=[TrainTimer(), *cbs])
    if dls.device.type == 'cuda': learn.to_fp32()
    with learn.no_bar(), learn.no_logging(): learn.fit(1, lr=preset.lr)
    return learn.train_timer.seconds


def variants(width, sparsity=0.9):
    seed_everything(0)
    masked = prune_by_magnitude(get_model('resnet18', 10, width=width, layers=MASKED), sparsity)
    return {'dense': (get_model('resnet18', 10, width=width), ()),
            f'masked {sparsity:.0%}': (masked, (MaskCallback(),)),
            f'edge-popup {sparsity:.0%}': (supermask_model('resnet18', sparsity, 'ep', width=width), ()),
            f'biprop {sparsity:.0%}': (supermask_model('resnet18', sparsity, 'biprop', width=width), ())}


def file_ratio(model, folder):
    p = save_card(model, Path(folder)/'m.card')
    return memory_report(model)[-1]['fp32_bytes'] / p.stat().st_size, p.stat().st_size


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--width', type=int, default=16); ap.add_argument('--steps', type=int, default=20)
    ap.add_argument('--bs', type=int, default=128); ap.add_argument('--repeats', type=int, default=2)
    ap.add_argument('--size-width', type=int, default=64, help='ResNet-18 width for the file-size table')
    a = ap.parse_args()
    threads, dev = setup_torch(), get_device()
    dls, src = bench_dls(a.steps * a.bs, a.bs, dev)
    preset = Preset(bs=a.bs, lr=0.05)
    vs = variants(a.width)
    print(f"== training steps: ResNet-18 width {a.width}, {a.steps} steps of batch {a.bs}, {src}, device {dev}, {threads} threads")
    step_time(copy.deepcopy(vs['dense'][0]), dls, preset)                      # warm-up
    times = {k: [] for k in vs}
    for r in range(a.repeats):
        for k, (m, cbs) in vs.items(): times[k].append(step_time(copy.deepcopy(m), dls, preset, cbs))
        print(f"  repeat {r + 1}: " + ', '.join(f"{k} {t[-1]:.2f} s" for k, t in times.items()))
    best = {k: min(t) for k, t in times.items()}
    for k, t in best.items():
        print(f"{k:16s} {1000 * t / a.steps:7.0f} ms/step   ratio to dense {t / best['dense']:.3f}x (target <= 1.25x)")

    print(f"\n== CARD file size / dense float32 size: ResNet-18 width {a.size_width}")
    seed_everything(0)
    base = get_model('resnet18', 10, width=a.size_width, layers=MASKED)
    rows = size_table(base, (0.5, 0.8, 0.9, 0.95))
    with tempfile.TemporaryDirectory() as d:
        for s in (0.5, 0.8, 0.9, 0.95):
            r, b = file_ratio(supermask_model('resnet18', s, 'biprop', width=a.size_width), d)
            rows.append(dict(sparsity=s, variant='binary (biprop)', bytes=b, ratio=r))
        kinds = list(dict.fromkeys(r['variant'] for r in rows))
        print('sparsity  ' + ''.join(f"{k:>18s}" for k in kinds))
        for s in (0.5, 0.8, 0.9, 0.95):
            cells = {r['variant']: r for r in rows if r['sparsity'] == s}
            print(f"{s:>7.0%}   " + ''.join(f"{'1/%.1f' % cells[k]['ratio']:>18s}" for k in kinds))
        r, b = file_ratio(supermask_model('wide_preact_resnet18', 0.95, 'biprop'), d)
        print(f"\n95%-sparse binary wide pre-activation ResNet-18: {b:,} bytes = 1/{r:.1f} of dense float32 (target <= 1/60)")


if __name__ == '__main__': main()
