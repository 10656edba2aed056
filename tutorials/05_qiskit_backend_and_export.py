# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 5 · The Qiskit backend, noise, and exporting the trained circuit
#
# A hypernetwork's circuit is written once and compiled to each backend. Here we train it,
# check that Qiskit Aer gives the same distribution (Qiskit counts qubits little-endian;
# qhyper converts once at the boundary so probability vectors always use bit 0 as the most
# significant bit), run it under **depolarising noise** as the original paper did, and
# export it to **OpenQASM 3** to run elsewhere.

# %%
import os

import matplotlib.pyplot as plt
import numpy as np
import torch

import qhyper as qh

SMOKE = bool(os.environ.get("QHYPER_SMOKE") or os.environ.get("CI"))
STEPS = 3 if SMOKE else 200
SHOTS = 500 if SMOKE else 20_000
SCALES = [0.0, 2.0] if SMOKE else [0.0, 0.4, 0.8, 1.2, 1.6, 2.0]

# %% [markdown]
# ## Train, then compare backends

# %%
data = qh.datasets.load("bars_and_stripes", n_train=100, n_test=400, seed=0)
model = qh.BinaryMLP([9, 1])
ev = qh.Evaluator.from_dataset(model, data, logit_scale=0.5)
ansatz = qh.circuits.get("brick", n_qubits=model.num_bits, layers=2)
hn = qh.Hypernetwork(ansatz, seed=0)
result = qh.trainers.QHN(qh.objectives.MLE(), optimizer="adam", steps=STEPS, lr=0.05, seed=0,
                           progress=False).fit(hn, ev)
theta = hn.theta.detach().clone()
print(result)

q_torch = hn.distribution().probs().detach()
on_aer = qh.Hypernetwork(ansatz, backend="qiskit", init=theta)
on_pl = qh.Hypernetwork(ansatz, backend="pennylane", init=theta)
print("max |q_torch − q_aer| =", float((q_torch - on_aer.distribution().probs().detach()).abs().max()))
print("max |q_torch − q_pennylane| =", float((q_torch - on_pl.distribution().probs().detach()).abs().max()))

# %% [markdown]
# ## What noise does to the probability of the best network
# `qh.noise.depolarizing(s)` is the original paper's noise protocol: a depolarising channel with
# error probability $p_1 = 0.001\,s$ after every one-qubit gate and $p_2 = 0.00375\,s$ after every
# two-qubit gate, on whatever backend runs the circuit — here sampled with Aer's `SamplerV2`.

# %%
best = int(ev.loss_table().argmin())
print(f"noise-free probability of the best network: {float(q_torch[best]):.4f}")


p_best = []
for s in SCALES:
    noisy = qh.Hypernetwork(ansatz, backend="qiskit", shots=SHOTS, seed=1, init=theta, noise=qh.noise.depolarizing(s))
    idx = qh.bitstrings.bits_to_index(noisy.sample(SHOTS))
    p_best.append(float((idx == best).double().mean()))
    print(f"s = {s:.1f}: fraction of shots on the best network {p_best[-1]:.4f}")

fig, ax = plt.subplots(figsize=(5, 3))
ax.plot(SCALES, p_best, "o-")
ax.set_xlabel("noise scale $s$"); ax.set_ylabel("fraction of shots at the best network")
ax.set_title("depolarising noise on Aer"); plt.show()

# %% [markdown]
# ## Export to OpenQASM 3
# The bound circuit, measurements included, ready for any OpenQASM 3 toolchain.

# %%
qasm = ansatz.to_qasm(theta)
print("\n".join(qasm.splitlines()[:12]), "\n…")
circuit = ansatz.to_qiskit(theta)
print(circuit.count_ops())

# %% [markdown]
# ## Run the exported circuit in plain Qiskit, and read its counts back
# Qiskit prints clbit 0 as the *rightmost* character of a counts key. Reading the keys left to
# right would reverse every network (wire *j* would become weight *n − 1 − j*).
# `qh.bitstrings.from_counts` reads clbit *j* as wire *j*, as `measure_all()` maps them, so the
# sampled networks score as the hypernetwork's own samples do.

# %%
from qiskit_aer.primitives import SamplerV2

measured = ansatz.to_qiskit(theta)
measured.measure_all()
counts = SamplerV2(seed=2).run([measured], shots=SHOTS).result()[0].data.meas.get_counts()
networks = qh.bitstrings.from_counts(counts, num_bits=model.num_bits, samples=True)
own = hn.sample(SHOTS, seed=2)
reversed_keys = torch.tensor([[float(c) for c in key] for key, k in counts.items() for _ in range(k)])
for label, nets in [("hypernetwork's own samples", own), ("plain Qiskit, from_counts", networks),
                    ("plain Qiskit, keys read left to right (wrong)", reversed_keys)]:
    print(f"{label:<46} mean train accuracy {float(ev.accuracy(nets).mean()):.3f}")
