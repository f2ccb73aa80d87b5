"""How long one seed of a study takes on this machine, before running it: time one epoch of each kind of training the
study does (and one evaluation block), then add up the study's plan. Prints the estimate against the target.

    python benchmarks/study_budget.py [--preset cpu] [--target-minutes 150]

Needs the CIFAR-10 data (CARDS_DATA or ../shared/data). Run it on an idle machine: other processes on the cores
slow torch several times over.
"""
import argparse, os, sys, time
from pathlib import Path
os.environ.setdefault('CARDS_DATA', str(Path(__file__).resolve().parents[1].parent/'shared'/'data'))
import numpy as np, torch
from cards_nb.core import setup_torch
from cards_nb.study import get_study
from cards_nb.compress import Compression, get_method
from cards_nb.data import get_dls, load_dataset
from cards_nb.train import card_learner
from cards_nb.masks import MASKED, MaskCallback
from cards_nb.robustness import accuracy_on

def epoch_seconds(st, kind:str, aug:str='standard') -> float:
    "Seconds of one training epoch of `kind`: 'dense' (dense network), 'wide' (dense model of the supermask network), 'ep'/'biprop'."
    p = st.preset(kind if kind in ('ep', 'biprop') else 'ep' if kind == 'wide' else None).replace(epochs=1, aug=aug)
    dls = get_dls(p.dataset, None, bs=p.bs, aug=aug, seed=0)
    model = get_method(kind).model(p, 0.9, dls.c) if kind in ('ep', 'biprop') else p.model(dls.c, layers=MASKED)
    learn = card_learner(dls, model, p, cbs=[MaskCallback()])
    with learn.no_bar(), learn.no_logging():
        t0 = time.time(); learn.fit_preset(1); return time.time() - t0

def plan(st) -> dict[str, tuple[str, str, int]]:
    "{unit name: (kind of training, augmentation, epochs)} of one seed of `st` (a control several rows share is one unit)."
    D, units = st.epochs, {'dense': ('dense', 'standard', st.epochs)}
    for m in st.methods:
        meth = get_method(m)
        for s in meth.targets(st.sparsities):
            total = meth.epochs(Compression(m, s, **st.method_settings(m)), st.preset(m).epochs)
            units[f'{m}-{s:g}'] = (m if meth.supermask else 'dense', 'standard', total - D if meth.dense_phase else total)
            if meth.dense_phase and total != D: units[f'dense-{total}ep'] = ('dense', 'standard', total)   # its matched control
            if meth.supermask: units['dense-wide'] = ('wide', 'standard', D)
    if st.deck.k:
        E = st.member_epochs()
        for g in ('augmix', 'gaussian'):
            units.update({f'deck-{g}-{i}': ('dense', g, E) for i in range(st.deck.k)}); units[f'dense-{g}'] = ('dense', g, E)
    return units

def main():
    ap = argparse.ArgumentParser(); ap.add_argument('--preset', default='cpu'); ap.add_argument('--target-minutes', type=float, default=150)
    a = ap.parse_args(); setup_torch(); st = get_study(a.preset).replace(seeds=(0,))
    units = plan(st)
    per = {kg: epoch_seconds(st, *kg) for kg in sorted({(k, g) for k, g, _ in units.values()})}
    for kg, s in per.items(): print(f"one epoch {kg[0]:7s} {kg[1]:9s}: {s:6.1f} s")
    for n, (k, g, e) in units.items(): print(f"  {n:18s} {e:3d} epochs: {per[k, g] * e / 60:5.1f} min")
    train = sum(per[k, g] * e for k, g, e in units.values())
    x, y = load_dataset(st.dataset, 'test', None)
    blocks = 1 + len(st.eval.corruptions) * len(st.eval.severities)
    cost = {}
    for kind in ('dense', 'wide'):
        p = st.preset('ep' if kind == 'wide' else None)
        model = p.model(10, layers=MASKED).eval(); t0 = time.time(); accuracy_on(model, x, y); cost[kind] = time.time() - t0
    evals = sum(cost['wide' if k in ('ep', 'biprop', 'wide') else 'dense'] for k, _, _ in units.values()) * blocks
    total = (train + evals) / 60
    print(f"{len(units)} training units: {train / 60:.0f} min; {len(units)} evaluations of {blocks} blocks of {len(y)} images: {evals / 60:.0f} min")
    print(f"one seed of `{a.preset}`: about {total:.0f} min against a target of {a.target_minutes:.0f} min: ratio {total / a.target_minutes:.2f}"
          f" (load average when it started: {LOAD:.1f})")

LOAD = os.getloadavg()[0]
if __name__ == '__main__': main()
