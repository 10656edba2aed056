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
# # 3 · The implicit setting: training from shots with the MMD surrogate ELBO on Qiskit Aer
#
# On hardware there is no probability vector, only measurement **shots**. The ELBO's KL term
# needs $\log q_\theta(b)$, which shots cannot give. The **MMD surrogate ELBO** replaces it by
# a kernel two-sample distance between the circuit and the prior,
#
# $$\mathcal{S}(\theta) = \mathbb{E}_{q_\theta}[\log p(D|b)] - \lambda\,\mathrm{MMD}_k^2(q_\theta, p),\qquad
# \mathrm{MMD}_k^2 = \mathbb{E}_{b,b'\sim q}k(b,b') - 2\,\mathbb{E}_{b\sim q, y\sim p}k(b,y) + \mathbb{E}_{y,y'\sim p}k(y,y'),$$
#
# with $k$ a mixture of Gaussians on the Hamming distance. Every term is an expectation over
# circuit samples, so the **parameter-shift rule** gives unbiased gradients from shifted
# circuits: $\partial_k q_\theta(b) = \tfrac12[q_{\theta+\frac\pi2 e_k}(b) - q_{\theta-\frac\pi2 e_k}(b)]$
# (Liu & Wang 2018). **SPSA** needs only two circuits per step, whatever the number of parameters.

# %%
import os

import matplotlib.pyplot as plt
import numpy as np
import torch

import qhyper as qh

SMOKE = bool(os.environ.get("QHYPER_SMOKE") or os.environ.get("CI"))
STEPS = 2 if SMOKE else 150
SHOTS = 64 if SMOKE else 1024
SHOT_GRID = [64, 256] if SMOKE else [64, 256, 1024, 4096]

# %% [markdown]
# ## A 9-qubit task
# Two half-moons with only 40 training points, classified by a 2→2→1 binary network with
# sign activations (6 weights + 3 biases = 9 qubits).

# %%
data = qh.datasets.load("moons", n_train=40, n_test=400, seed=0)
model = qh.BinaryMLP([2, 2, 1], activation="sign")
ev = qh.Evaluator.from_dataset(model, data)
n, N = model.num_bits, ev.num_data
post = qh.ExactPosterior(ev)
print(model, "|", post)

# %% [markdown]
# ## Shot mode is honest
# A hypernetwork with `shots=` only samples. Asking it for probabilities is an error.

# %%
ansatz = qh.circuits.get("hardware_efficient", n_qubits=n, layers=2)
hn_shots = qh.Hypernetwork(ansatz, backend="qiskit", shots=SHOTS, seed=0)
print(hn_shots.sample(5))
try:
    hn_shots.distribution().probs()
except Exception as err:  # noqa: BLE001 - shown to the reader
    print(type(err).__name__, ":", err)

# %% [markdown]
# ## Exact ELBO (the explicit reference) against the MMD surrogate from shots

# %%
lam = float(N)  # the log-likelihood sums over N points while MMD² ≤ 2: λ ~ N balances them
runs = {}
exact = qh.trainers.QHN(qh.objectives.ELBO(), optimizer="adam", steps=STEPS, lr=0.05, seed=0, progress=False)
runs["exact ELBO"] = exact.fit(qh.Hypernetwork(ansatz, seed=0), ev)
for gradient in ("parameter-shift", "spsa"):
    trainer = qh.trainers.QHN(qh.objectives.MMDSurrogateELBO(lam=lam), optimizer="adam", steps=STEPS, lr=0.05,
                              gradient=gradient, seed=0, progress=False, final_shots=SHOTS)
    runs[f"MMD, {gradient}"] = trainer.fit(qh.Hypernetwork(ansatz, backend="qiskit", shots=SHOTS, seed=0), ev)

for name, res in runs.items():
    m = res.metrics
    print(f"{name:<24} test acc (MAP) {m['test_accuracy']:.3f}  predictive {m.get('predictive_test_accuracy', float('nan')):.3f}"
          f"  {res.wall_time:6.1f} s")

fig, ax = plt.subplots(figsize=(5, 3))
for name, res in runs.items():
    ax.plot(res.history["expected_loss"], label=name)
ax.set_xlabel("step"); ax.set_ylabel("expected loss (mean NLL)"); ax.set_title("training from shots")
ax.legend(); plt.show()

# %% [markdown]
# ## How many shots are enough?
# Final test accuracy of the sampled networks' average against the shots per circuit.

# %%
curve = []
for shots in SHOT_GRID:
    trainer = qh.trainers.QHN(qh.objectives.MMDSurrogateELBO(lam=lam), optimizer="adam", steps=STEPS, lr=0.05,
                              gradient="spsa", seed=1, progress=False, final_shots=shots)
    res = trainer.fit(qh.Hypernetwork(ansatz, backend="qiskit", shots=shots, seed=1), ev)
    curve.append(res.metrics.get("predictive_test_accuracy", res.metrics["test_accuracy"]))
fig, ax = plt.subplots(figsize=(5, 3))
ax.semilogx(SHOT_GRID, curve, "o-", label="MMD surrogate (SPSA)")
ax.axhline(runs["exact ELBO"].metrics["predictive_test_accuracy"], color="k", ls="--", label="exact ELBO")
ax.set_xlabel("shots per circuit"); ax.set_ylabel("test accuracy"); ax.set_title("MMD surrogate against shots")
ax.legend(); plt.show()

# %% [markdown]
# ## A Born machine from shots alone
# `MMD(target=...)` matches a set of bitstrings — here the 14 valid 3×3 bars-and-stripes
# images — as a quantum circuit Born machine does. No training data, no probabilities.

# %%
patterns = qh.datasets.bars_and_stripes_patterns(3, 3)
born = qh.Hypernetwork(qh.circuits.get("brick", n_qubits=9, layers=3), backend="qiskit", shots=SHOTS, seed=2)
res = qh.trainers.QHN(qh.objectives.MMD(target=patterns), steps=STEPS, lr=0.1, seed=2,
                      progress=False, final_shots=SHOTS).fit(born)
samples = born.sample(2000)
valid = {tuple(p) for p in patterns.tolist()}
rate = np.mean([tuple(int(v) for v in s) in valid for s in samples.tolist()])
print(f"fraction of valid bars-and-stripes samples: {rate:.3f} (a uniform circuit gives {14 / 512:.3f})")
