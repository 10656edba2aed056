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
# # 6 · Architecture search in superposition: qubits that choose the activation
#
# A bitstring can hold more than weights. In the original Quantum HyperNetworks paper one
# extra qubit chose the hidden activation (sigmoid or ReLU), so the circuit searched weights
# and architecture in one optimisation. `BinaryMLP(activation=[...])` does this for 2, 4, 8, …
# candidates: the last $\log_2 k$ bits, read as a big-endian integer, index the list.
# Here two choice qubits pick among four activations: 17 weight bits + 2 = 19 qubits.

# %%
import os

import matplotlib.pyplot as plt
import numpy as np
import torch

import qhyper as qh

SMOKE = bool(os.environ.get("QHYPER_SMOKE") or os.environ.get("CI"))
STEPS = 3 if SMOKE else 300
RESTARTS = 1 if SMOKE else 3

# %%
choices = ["sign", "relu", "sigmoid", "tanh"]
data = qh.datasets.load("gaussian_mixture", n_train=500 if SMOKE else 2000, n_test=1000, seed=0)
model = qh.BinaryMLP([2, 4, 1], activation=choices)
ev = qh.Evaluator.from_dataset(model, data)
print(model, "| choice bits:", model.block("choice"))

# %% [markdown]
# ## What the loss table says about each architecture
# The table is indexed with the choice bits last, so reshaping it to
# $[2^{17}, 4]$ groups the networks by activation.

# %%
table = ev.loss_table().reshape(-1, len(choices))
for k, name in enumerate(choices):
    print(f"{name:>8}: best mean NLL {table[:, k].min():.4f}, median {table[:, k].median():.4f}")

# %% [markdown]
# ## Train the hypernetwork and read off the architecture marginal
# $q_\theta(\text{activation} = k) = \sum_{w} q_\theta(w, k)$.

# %%
hn = qh.Hypernetwork.for_model(model, ansatz="brick", layers=2, seed=0)
result = qh.trainers.QHN(qh.objectives.MLE(), optimizer="adam", steps=STEPS, lr=0.05, restarts=RESTARTS, seed=0,
                         progress=False).fit(hn, ev)
print(result)
q = hn.distribution().probs().detach().reshape(-1, len(choices))
marginal = q.sum(0)
for name, p in zip(choices, marginal.tolist()):
    print(f"q(activation = {name}) = {p:.3f}")

fig, axes = plt.subplots(1, 2, figsize=(9, 3))
axes[0].bar(choices, marginal.numpy()); axes[0].set_title("architecture marginal of $q_\\theta$")
axes[0].set_xlabel("hidden activation"); axes[0].set_ylabel("probability")
axes[1].bar(choices, table.min(0).values.numpy()); axes[1].set_title("best mean NLL per activation")
axes[1].set_xlabel("hidden activation"); axes[1].set_ylabel("lowest train NLL (mean)")
plt.show()

# %% [markdown]
# Compare the two bar charts: the circuit's mass need not land on the activation with the
# lowest-loss network. Gradient training of the circuit can settle in a local optimum whose
# network is good but not the best; `result.metrics["p_best"]` is the probability of the
# single best (weights, architecture) pair. `benchmarks/qhn_depth.py` measures, on a
# different task (17-bit logistic regression on `digits01_4x4`), how often restarts reach the
# global minimum as the circuit gets deeper.
