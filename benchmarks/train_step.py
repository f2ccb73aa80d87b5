"""Time ResNet-18 training steps through the fastai Learner and through a minimal plain PyTorch loop.

Same model (fresh copies of one initialisation), same data loader and on-device augmentation, same optimizer
(torch SGD, momentum 0.9, weight decay 5e-4), same batch size. Only the training phase is timed. The two are run
alternately `--repeats` times and the best time of each is compared. Target: fastai <= 1.10x the plain loop.

    python benchmarks/train_step.py [--width 16] [--steps 30] [--bs 128] [--repeats 3]
"""
import argparse, copy, time
import numpy as np, torch, torch.nn.functional as F
from fastai.callback.core import Callback, CancelValidException
from cards_nb.core import setup_torch, seed_everything, get_device
from cards_nb.data import make_dls, find_cifar_root, load_cifar
from cards_nb.models import get_model
from cards_nb.train import card_learner, Preset


class TrainTimer(Callback):
    "Wall time of the training phase (device synchronized); validation is skipped."
    def before_train(self): sync(self.dls.device); self.t0 = time.perf_counter()
    def after_train(self): sync(self.dls.device); self.seconds = time.perf_counter() - self.t0
    def before_validate(self): raise CancelValidException


def sync(dev):
    if dev.type == 'cuda': torch.cuda.synchronize()


def plain_loop(model, dl, lr, dev):
    opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9, weight_decay=5e-4)
    model.train(); sync(dev); t0 = time.perf_counter()
    for xb, yb in dl:
        loss = F.cross_entropy(model(xb), yb)
        opt.zero_grad(); loss.backward(); opt.step()
    sync(dev)
    return time.perf_counter() - t0


def fastai_loop(model, dls, preset):
    learn = card_learner(dls, model, preset, cbs=TrainTimer())
    if dls.device.type == 'cuda': learn.to_fp32()   # the plain loop runs in fp32 too
    with learn.no_bar(), learn.no_logging(): learn.fit(1, lr=preset.lr)
    return learn.train_timer.seconds


def bench_dls(n, bs, dev):
    "Data loaders over `n` training images of the CIFAR-10 subset (repeated as needed), or random arrays without it."
    root = find_cifar_root('cifar10')
    if root is not None:
        x, y = load_cifar(root, split='train', download=False); src = f'CIFAR-10 subset at {root}'
        reps = -(-n // len(x)); x, y = np.concatenate([x] * reps)[:n], np.concatenate([y] * reps)[:n]
    else:
        rng = np.random.default_rng(0); src = 'random CIFAR-shaped arrays'
        x, y = rng.integers(0, 256, (n, 32, 32, 3), dtype=np.uint8), rng.integers(0, 10, n)
    return make_dls((x, y), (x[:bs], y[:bs]), bs=bs, aug='standard', device=dev, seed=0), src


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--width', type=int, default=16); ap.add_argument('--steps', type=int, default=30)
    ap.add_argument('--bs', type=int, default=128); ap.add_argument('--repeats', type=int, default=3)
    a = ap.parse_args()
    threads, dev = setup_torch(), get_device()
    n = a.steps * a.bs
    dls, src = bench_dls(n, a.bs, dev)
    preset = Preset(bs=a.bs, lr=0.05)
    seed_everything(0); model0 = get_model('resnet18', 10, width=a.width).to(dev)
    print(f"ResNet-18 width {a.width}, {a.steps} steps of batch {a.bs}, {src}, device {dev}, {threads} threads")
    plain_loop(copy.deepcopy(model0), dls.train, preset.lr, dev)          # warm-up (allocator, kernels)
    tp, tf = [], []
    for r in range(a.repeats):
        tp.append(plain_loop(copy.deepcopy(model0), dls.train, preset.lr, dev))
        tf.append(fastai_loop(copy.deepcopy(model0), dls, preset))
        print(f"  repeat {r+1}: plain {tp[-1]:.2f} s, fastai {tf[-1]:.2f} s")
    p, f = min(tp), min(tf)
    print(f"plain PyTorch loop: {p:.2f} s ({1000*p/a.steps:.0f} ms/step)")
    print(f"fastai Learner:     {f:.2f} s ({1000*f/a.steps:.0f} ms/step)")
    print(f"ratio fastai/plain: {f/p:.3f}x (target <= 1.10x)")


if __name__ == '__main__': main()
