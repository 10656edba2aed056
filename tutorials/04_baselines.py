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
# # 4 · Against what you would otherwise do: STE, QUBO and the exact oracle
#
# The honest question about a quantum hypernetwork is how it compares with classical ways of
# training the *same* binary network on the *same* data. Every trainer here returns a
# `TrainResult` whose network is scored by the one shared `Evaluator`.
#
# * **STE** — latent real weights $v$, forward $w = \mathrm{sign}(v)$, backward
#   $\partial w/\partial v = \mathbf 1_{|v|\le 1}$, Adam, $v$ clipped to $[-1, 1]$.
# * **QUBO** — the training problem (number of misclassified points) written exactly as a
#   binary quadratic model (activation, slack, product and error bits), solved by simulated
#   annealing; with a **margin** reward and a **dropout-inspired** scheme (Villumsen & Sugita).
# * **Exhaustive** — all $2^n$ networks: the MAP network and the exact posterior.

# %%
import os

import matplotlib.pyplot as plt
import numpy as np

import qhyper as qh

SMOKE = bool(os.environ.get("QHYPER_SMOKE") or os.environ.get("CI"))
SEEDS = 1 if SMOKE else 3

# %% [markdown]
# ## One task, three classical trainers
# Noisy 2×2 bars versus stripes, a 4→2→1 network with sign activations (13 bits): small
# enough to enumerate, and exactly what the QUBO encoding covers.

# %%
data = qh.datasets.load("bars_and_stripes", rows=2, cols=2, seed=0)
model = qh.BinaryMLP([4, 2, 1], activation="sign")
ev = qh.Evaluator.from_dataset(model, data)

oracle = qh.trainers.Exhaustive().fit(ev)
ste = qh.trainers.STE(epochs=5 if SMOKE else 100, seed=0).fit(ev)
qubo = qh.trainers.QUBO(num_reads=2 if SMOKE else 10, num_sweeps=100 if SMOKE else 1000, seed=0).fit(ev)
for res in (oracle, ste, qubo):
    print(res)
print("QUBO size and lowest read energy:", {k: v for k, v in qubo.metrics.items() if k.startswith("qubo_")})

# %% [markdown]
# ## The regularisers change the solution
# The margin term rewards large pre-activations; the dropout scheme trains reduced
# sub-networks and turns their answers into linear fields on the full problem.

# %%
variants = {"plain": {}, "margin": {"margin": 0.5}, "dropout": {"dropout_rounds": 3}}
acc = {}
for name, kw in variants.items():
    acc[name] = [qh.trainers.QUBO(num_reads=2 if SMOKE else 10, num_sweeps=100 if SMOKE else 1000, seed=s, **kw)
                 .fit(ev).metrics["test_accuracy"] for s in range(SEEDS)]
fig, ax = plt.subplots(figsize=(5, 3))
ax.bar(list(acc), [np.mean(v) for v in acc.values()], yerr=[np.std(v) for v in acc.values()], capsize=4)
ax.set_ylabel("test accuracy"); ax.set_title("QUBO regularisers"); plt.show()

# %% [markdown]
# ## Quantum against classical with `qh.compare`
# `qh.compare` runs each method on a named task for several seeds and tabulates mean ± std.
# The same table comes from the command line: `qhyper compare --task bars_stripes_sign`.

# %%
table = qh.compare(["mle", "elbo", "mmd", "ste", "qubo", "exact"], task="bars_stripes_sign",
                   seeds=SEEDS, quick=SMOKE, progress=False)
print(table)
table.plot()
plt.show()
