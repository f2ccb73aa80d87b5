"""Torch under load: the slowdown when another process shares the cores, with spinning OpenMP waiters and with sleeping
ones (cards_nb sets OMP_WAIT_POLICY=PASSIVE before torch loads). Target: the slowdown under load stays near what losing
one of the two cores costs (about 2x), instead of the 2-40x measured with spinning waiters.

For each policy (ACTIVE: the spinning of GNU OpenMP's default; PASSIVE) a fresh process times `corrupt` (fog, zoom
blur, Gaussian noise on the test images) and a width-16 ResNet-18 training step (forward, backward, SGD), first alone
and then beside a busy process (a pure-Python loop on one core). Run it on an otherwise idle machine.

    python benchmarks/load.py [--reps 5]
"""
import argparse, json, os, subprocess, sys, time

WORK = r'''
import json, os, sys, time
import cards_nb.core   # sets OMP_WAIT_POLICY (unless the caller did) before torch loads
import numpy as np, torch
from cards_nb.corruptions import corrupt
from cards_nb.data import find_cifar_root, load_cifar
from cards_nb.models import get_model
root = find_cifar_root('cifar10')
x = load_cifar(root, split='test', download=False)[0] if root else np.random.default_rng(0).integers(0, 256, (1024, 32, 32, 3), dtype=np.uint8)
m = get_model('resnet18', width=16); opt = torch.optim.SGD(m.parameters(), lr=0.01)
xb, yb = torch.randn(128, 3, 32, 32), torch.randint(0, 10, (128,))
def step():
    opt.zero_grad(); torch.nn.functional.cross_entropy(m(xb), yb).backward(); opt.step()
jobs = {'fog': lambda: corrupt(x, 'fog', 3), 'zoom_blur': lambda: corrupt(x, 'zoom_blur', 3),
        'gaussian_noise': lambda: corrupt(x, 'gaussian_noise', 3), 'train step': step}
out = {}
for k, f in jobs.items():
    f(); ts = []
    for _ in range(int(sys.argv[1])):
        t0 = time.perf_counter(); f(); ts.append(time.perf_counter() - t0)
    out[k] = min(ts)
print(json.dumps(dict(threads=torch.get_num_threads(), policy=os.environ['OMP_WAIT_POLICY'], times=out)))
'''

def run(policy, reps):
    env = dict(os.environ, OMP_WAIT_POLICY=policy)
    r = subprocess.run([sys.executable, '-c', WORK, str(reps)], capture_output=True, text=True, env=env)
    if r.returncode: sys.exit(r.stderr[-2000:])
    return json.loads(r.stdout.strip().splitlines()[-1])

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0]); ap.add_argument('--reps', type=int, default=5)
    a = ap.parse_args()
    res = {}
    for policy in ('ACTIVE', 'PASSIVE'):
        idle = run(policy, a.reps)
        busy = subprocess.Popen([sys.executable, '-c', 'while True: pass'])
        try: loaded = run(policy, a.reps)
        finally: busy.kill(); busy.wait()
        res[policy] = (idle, loaded)
    print(f"{res['PASSIVE'][0]['threads']} torch threads on {os.cpu_count()} cores; 'loaded' = beside one busy process\n")
    print(f"{'job':16s} {'policy':8s} {'idle s':>8s} {'loaded s':>9s} {'slowdown':>9s}")
    for job in res['ACTIVE'][0]['times']:
        for policy, (idle, loaded) in res.items():
            i, l = idle['times'][job], loaded['times'][job]
            print(f"{job:16s} {policy:8s} {i:8.3f} {l:9.3f} {l / i:8.1f}x")
    for job in res['ACTIVE'][0]['times']:
        ia, ip = res['ACTIVE'][0]['times'][job], res['PASSIVE'][0]['times'][job]
        print(f"{job}: PASSIVE vs ACTIVE when idle {ip / ia:.2f}x the time; under load {res['PASSIVE'][1]['times'][job] / res['ACTIVE'][1]['times'][job]:.2f}x")

if __name__ == '__main__':
    main()
