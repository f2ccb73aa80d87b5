"""Time the README's commands on this machine and write `benchmarks/readme_times.json`, which `nbs/index.ipynb` reads
for every duration the README states (so none is written by hand). Run it on an otherwise idle machine; the file keeps
the date, the cores and the load average around each command.

    python benchmarks/readme_times.py [--data ../shared/data]

The digits commands run as the README gives them (into a temporary folder). The CIFAR-10 ones are timed at a size
that fits a sitting and scaled: `train --preset cpu` for 2 epochs (the README's run is 40), `make-cifar-c` on the test
images the data folder has (the README quotes the time per 10,000 images).
"""
import argparse, json, os, subprocess, sys, tempfile, time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CLI = [sys.executable, '-m', 'cards_nb.cli']

def timed(args, cwd) -> float:
    "Seconds `cards-nb args` takes (its output discarded); exits with its error output if it fails."
    t0 = time.perf_counter()
    r = subprocess.run(CLI + args, cwd=cwd, capture_output=True, text=True, env=dict(os.environ, PYTHONPATH=str(ROOT)))
    if r.returncode: sys.exit(f"cards-nb {' '.join(args)} failed:\n{r.stderr[-2000:]}")
    return round(time.perf_counter() - t0, 1)

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--data', default=str(ROOT.parent/'shared'/'data'), help='data folder holding cifar-10-batches-py/')
    ap.add_argument('--out', default=str(ROOT/'benchmarks'/'readme_times.json'))
    ap.add_argument('--only', default=None, help='comma-separated names to time again (the others are kept from --out)')
    a = ap.parse_args()
    a.data = str(Path(a.data).resolve())   # the commands run in a temporary folder
    tmp = Path(tempfile.mkdtemp(prefix='readme-times-'))
    sys.path.insert(0, str(ROOT))
    from cards_nb.data import load_dataset
    n_test = len(load_dataset('cifar10', 'test', a.data)[1])
    runs = {   # name: (command, what the number means)
        'compress_digits': (['compress', '--method', 'lrr', '--sparsity', '0.9', '--card', str(tmp/'lrr90.card'), '--out', str(tmp/'compress')], 'seconds'),
        'deck_digits': (['deck', '--method', 'ft', '--sparsity', '0.8', '--epochs', '2', '--ft-epochs', '1', '--out', str(tmp/'decks')], 'seconds'),
        'study_quick': (['study', '--preset', 'quick', '--out', str(tmp/'study')], 'seconds'),
        'make_cifar_c': (['make-cifar-c', '--data', a.data, '--out', str(tmp/'cifar-c')], f'seconds for {n_test} test images'),
        'train_cpu_2_epochs': (['train', '--preset', 'cpu', '--epochs', '2', '--data', a.data, '--out', str(tmp/'train')], 'seconds for 2 epochs'),
    }
    old = json.loads(Path(a.out).read_text()) if Path(a.out).exists() else {}
    res = dict(date=time.strftime('%Y-%m-%d'), cores=len(os.sched_getaffinity(0)) if hasattr(os, 'sched_getaffinity') else os.cpu_count(),
               cifar_test_images=n_test, times=old.get('times', {}))
    for name, (args, unit) in runs.items():
        if a.only and name not in a.only.split(','): continue
        before = os.getloadavg()[0]
        secs = timed(args, tmp)
        res['times'][name] = dict(seconds=secs, unit=unit, load_average_before=round(before, 2),   # a 1-minute average: it lags
                                  command='cards-nb ' + ' '.join(args).replace(str(tmp) + '/', '').replace(a.data, '<data>'))
        print(f"{name}: {secs} s (1-minute load average before: {before:.2f})", flush=True)
        Path(a.out).write_text(json.dumps(res, indent=1) + '\n')   # after each command: a failure later keeps these
    print(f"wrote {a.out}")

if __name__ == '__main__':
    main()
