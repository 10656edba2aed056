"""Beyond enumeration: a 65-qubit hypernetwork trained from shots with SPSA on Aer's MPS simulator.

Task: logistic regression on ``digits01_8x8`` (``qh.BinaryMLP([64, 1])``: 64 weights + bias
= 65 bits, 2^65 networks — no loss table, no statevector). The hypernetwork is a ``brick``
circuit sampled by Qiskit Aer with ``method="matrix_product_state"``; training reads only
samples: MLE (expected loss) with SPSA gradients (2 circuits per step) and Adam. Every
sampled network is scored by the shared Evaluator.

Reports test accuracy of the most frequent final network and of the posterior-predictive
average over 4096 final samples, against a majority-class predictor, random ±1 weights
(mean over 1000 uniform networks) and ``qh.trainers.STE`` (latent real weights with a
straight-through sign, the classical baseline); plus wall time per SPSA step and, as the
peer measured in the same run, one parameter-shift step (2P + 1 circuits).

    python benchmarks/beyond_enumeration.py           # 300 SPSA steps, 512 shots, 2 layers
    python benchmarks/beyond_enumeration.py --quick
"""
from __future__ import annotations

import argparse
import time

import torch

import qhyper as qh
from qhyper.gradients import SPSA, ParameterShift
from qhyper.objectives import MLE, LossSource


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--steps", type=int, default=300)
    p.add_argument("--shots", type=int, default=512)
    p.add_argument("--layers", type=int, default=2)
    p.add_argument("--lr", type=float, default=0.1)
    p.add_argument("--c", type=float, default=0.2, help="SPSA perturbation")
    p.add_argument("--directions", type=int, default=1)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--no-peer", action="store_true", help="skip the parameter-shift step timing")
    p.add_argument("--quick", action="store_true", help="10 steps, 128 shots, no peer")
    p.add_argument("--threads", type=int, default=1,
                   help="torch threads (1 avoids oversubscription on a shared machine)")
    args = p.parse_args(argv)
    torch.set_num_threads(args.threads)
    if args.quick:
        args.steps, args.shots, args.no_peer = 10, 128, True

    data = qh.datasets.load("digits01_8x8")
    model = qh.BinaryMLP([64, 1])
    ev = qh.Evaluator.from_dataset(model, data)
    test = ev.test()
    n = model.num_bits
    print(f"task: {data}; {model}; 2^{n} networks")

    majority = max(float((test.y == 1).double().mean()), float((test.y == 0).double().mean()))
    g = torch.Generator().manual_seed(args.seed)
    random_acc = float(test.accuracy(torch.randint(0, 2, (1000, n), generator=g).double()).mean())
    print(f"majority class test accuracy {majority:.3f}; random weights (mean of 1000) {random_acc:.3f}")
    try:
        t0 = time.perf_counter()
        ste = qh.trainers.STE(seed=args.seed, progress=False).fit(ev)
        print(f"STE: test accuracy {ste.metrics['test_accuracy']:.3f} ({time.perf_counter() - t0:.1f} s)")
    except AttributeError:
        print("STE: not available")

    ansatz = qh.circuits.get("brick", n_qubits=n, layers=args.layers)
    hn = qh.Hypernetwork(ansatz, backend="qiskit", shots=args.shots, method="matrix_product_state", seed=args.seed)
    print(f"hypernetwork: {ansatz!r}, Aer matrix_product_state, {args.shots} shots per circuit")
    trainer = qh.trainers.QHN(MLE(), gradient="spsa", steps=args.steps, lr=args.lr, final_shots=4096,
                              spsa=SPSA(c=args.c, directions=args.directions), seed=args.seed, progress=False)
    t0 = time.perf_counter()
    res = trainer.fit(hn, ev)
    wall = time.perf_counter() - t0
    h = res.history["expected_loss"]
    k = max(1, len(h) // 10)
    print(f"QHN-SPSA: expected train loss (mean NLL of sampled networks) {sum(h[:k]) / k:.3f} (first {k} steps) "
          f"-> {sum(h[-k:]) / k:.3f} (last {k}); final {res.metrics['expected_loss']:.3f}")
    m = res.metrics
    print(f"QHN-SPSA: MAP (most frequent sample) test accuracy {m['test_accuracy']:.3f}, "
          f"predictive test accuracy {m['predictive_test_accuracy']:.3f}, train accuracy {m['train_accuracy']:.3f}, "
          f"distinct final samples {m['distinct_samples']:.0f}/4096, p_best {m['p_best']:.3f}")
    per_step = wall / args.steps
    print(f"wall time per SPSA step (2 circuits x {args.shots} shots + scoring + Adam): {per_step:.2f} s "
          f"({wall:.0f} s total incl. final sampling)")
    if not args.no_peer:
        form = MLE().shot_form(LossSource(ev))
        t0 = time.perf_counter()
        est = ParameterShift()(hn, form, hn.theta.detach(), args.shots, seed=1,
                               generator=torch.Generator().manual_seed(1))
        t_ps = time.perf_counter() - t0
        print(f"one parameter-shift step ({est.circuits} circuits) {t_ps:.1f} s = "
              f"{t_ps / per_step:.0f}x an SPSA step")


if __name__ == "__main__":
    main()
