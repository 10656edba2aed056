"""Time of one shot-mode batch call: ``hn.sample_at(thetas, shots)`` with B = 2·P + 1
parameter settings (θ and every parameter-shifted copy, as a parameter-shift step needs),
on each sampling backend, in one run.

* n = 10, 20: Aer statevector, Aer matrix-product-state, PennyLane ``default.qubit``
  (one broadcast ``qml.sample`` call) and qhyper's torch engine;
* n = 65: Aer matrix-product-state only (a statevector would need 2^65 amplitudes), for
  ``brick`` and ``hardware_efficient`` with 1 and 2 layers;
* an SPSA step at 65 qubits: 2 perturbed settings (θ ± c·Δ) sampled in one call plus the
  log-likelihood of every sampled network of a 64-weight + bias logistic regression on
  ``digits01_8x8`` through the shared Evaluator (the issue's target: under 5 s).

Seconds per call are the best of ``--repeats`` calls (fresh sampler seed each call).

    python benchmarks/shots_step.py            # full
    python benchmarks/shots_step.py --quick    # n = 10 and the 65-qubit SPSA step only
"""
from __future__ import annotations

import argparse
import time

import torch

import qhyper as qh


def best_time(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def shifted_rows(hn) -> torch.Tensor:
    """θ and its ±π/2 shifts in every parameter: [2P + 1, P]."""
    theta = hn.theta.detach()
    eye = torch.eye(hn.num_params, dtype=torch.float64) * hn.ansatz.shift_rule[1]
    return torch.cat([theta[None], theta + eye, theta - eye])


BACKENDS = {
    "aer-statevector": ("qiskit", {"method": "statevector"}),
    "aer-mps": ("qiskit", {"method": "matrix_product_state"}),
    "pennylane-default": ("pennylane", {}),
    "qhyper-torch": ("torch", {}),
}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--shots", type=int, default=100, help="shots per parameter setting")
    parser.add_argument("--layers", type=int, default=1, help="brick layers at n = 10, 20")
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args(argv)
    print(f"sample_at with B = 2P+1 settings × {args.shots} shots; best of {args.repeats}; "
          f"torch threads = {torch.get_num_threads()}")

    for n in [10] if args.quick else [10, 20]:
        ansatz = qh.circuits.get("brick", n_qubits=n, layers=args.layers)
        line = []
        for label, (backend, opts) in BACKENDS.items():
            hn = qh.Hypernetwork(ansatz, backend=backend, shots=args.shots, seed=0, **opts)
            rows = shifted_rows(hn)
            hn.sample_at(rows[:1], 1)  # warm-up (imports, first compilation)
            line.append(f"{label} {best_time(lambda: hn.sample_at(rows, args.shots), args.repeats):.3f}s")
        print(f"  n={n:2d} brick L={args.layers} P={ansatz.num_params} B={2 * ansatz.num_params + 1}:  "
              + "  ".join(line), flush=True)

    if not args.quick:
        for name in ("brick", "hardware_efficient"):
            for layers in (1, 2):
                ansatz = qh.circuits.get(name, n_qubits=65, layers=layers)
                hn = qh.Hypernetwork(ansatz, backend="qiskit", shots=args.shots, seed=0,
                                     method="matrix_product_state")
                rows = shifted_rows(hn)
                t = best_time(lambda: hn.sample_at(rows, args.shots), 1)
                print(f"  n=65 {name} L={layers} P={ansatz.num_params} B={rows.shape[0]}: aer-mps {t:.2f}s "
                      f"({t / rows.shape[0] * 1e3:.1f} ms per setting)", flush=True)

    data = qh.datasets.load("digits01_8x8")
    model = qh.BinaryMLP([64, 1], bias=True)
    ev = qh.Evaluator(model, data.X_train, data.y_train)
    for name, layers in (("brick", 1), ("brick", 2), ("hardware_efficient", 1)):
        hn = qh.Hypernetwork.for_model(model, ansatz=name, layers=layers, backend="qiskit", shots=args.shots,
                                       seed=0, method="matrix_product_state")
        gen = torch.Generator().manual_seed(0)

        def spsa_step():
            delta = torch.randint(0, 2, (hn.num_params,), generator=gen).to(torch.float64) * 2 - 1
            theta = hn.theta.detach()
            bits = hn.sample_at(torch.stack([theta + 0.1 * delta, theta - 0.1 * delta]), args.shots)
            ll = ev.log_likelihood(bits.reshape(-1, model.num_bits)).reshape(2, -1).mean(1)
            return (ll[0] - ll[1]) / (2 * 0.1) * delta

        t = best_time(spsa_step, args.repeats)
        print(f"  SPSA step, n=65 ({name} L={layers}, {args.shots} shots per setting, digits01_8x8 "
              f"log-likelihood of {2 * args.shots} networks): {t:.2f}s  (target < 5 s)", flush=True)


if __name__ == "__main__":
    main()
