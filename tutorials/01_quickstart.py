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
# # 1 · Quickstart: a binary network, its quantum hypernetwork, and the networks it samples
#
# A **binary neural network** (BNN) has weights in $\{-1, +1\}$. With $n$ weights there are
# $2^n$ networks. A **quantum hypernetwork** is a parameterised circuit $U(\theta)$ on $n$
# qubits: measuring it gives a bitstring $b$, and bit $j$ is weight $j$ ($w_j = 2b_j - 1$).
# Training $\theta$ moves the circuit's output distribution $q_\theta(b)$ onto good networks.
#
# This notebook follows the original Quantum HyperNetworks paper: a 2→4→1 network on a 2-D
# Gaussian mixture, with one extra qubit that chooses the hidden activation (ReLU or sigmoid)
# — 18 qubits in all — trained by minimising the expected loss (**MLE**)
# $\mathbb{E}_{b\sim q_\theta}[L(b)] = \langle\psi(\theta)|\,\mathrm{diag}(L)\,|\psi(\theta)\rangle$.

# %%
import os

import matplotlib.pyplot as plt
import numpy as np
import torch

import qhyper as qh

SMOKE = bool(os.environ.get("QHYPER_SMOKE") or os.environ.get("CI"))  # tiny runs in the test suite
STEPS = 3 if SMOKE else 300
torch.manual_seed(0)

# %% [markdown]
# ## The data and the model
# Class 0 is one Gaussian, class 1 a mixture of three. `BinaryMLP` lays the 18 bits out layer
# by layer (`W1`, `b1`, `W2`, `b2`), then the choice bit.

# %%
data = qh.datasets.load("gaussian_mixture", n_train=1000, n_test=1000, seed=0)
model = qh.BinaryMLP([2, 4, 1], activation=["relu", "sigmoid"])
print(data)
print(model)
print([(b.name, b.start, b.stop) for b in model.layout])

fig, ax = plt.subplots(figsize=(4, 4))
ax.scatter(*data.X_train.T, c=data.y_train, s=4, cmap="coolwarm")
ax.set_title("training data")
plt.show()

# %% [markdown]
# ## Every network's loss at once
# The shared `Evaluator` scores sampled networks in one batched pass; for $n \le 26$ or so it
# can also list the loss of all $2^n$ networks (the *loss table*), which is what the exact
# training mode and the oracle use.

# %%
ev = qh.Evaluator.from_dataset(model, data)
table = ev.loss_table()
best = int(table.argmin())
print(f"{len(table):,} networks; best mean NLL {table.min():.4f}, median {table.median():.4f}")
print("best network bits:", qh.bitstrings.index_to_bits(best, model.num_bits).int().tolist())

# %% [markdown]
# ## The hypernetwork and training
# The `brick` ansatz is the original paper's circuit: a CNOT brick, then RY and RZ on every
# qubit, per layer. The `QHN` trainer minimises the MLE objective with exact gradients. Its
# defaults for exact mode are the original method's L-BFGS (`steps` counts objective
# evaluations) and an entropy bonus $T_t H(q_\theta)$ annealed to zero over the first half of
# the evaluations (`anneal="auto"`), so the circuit narrows onto good networks gradually
# instead of freezing on the first one it meets.

# %%
ansatz = qh.circuits.get("brick", n_qubits=model.num_bits, layers=2)
hn = qh.Hypernetwork(ansatz, seed=0)
trainer = qh.trainers.QHN(objective=qh.objectives.MLE(), steps=STEPS, seed=0, progress=False)
result = trainer.fit(hn, ev)
print(result)

qh.plot.history(result, optimum=float(table.min()))  # every point; the dashed line is the best network
plt.show()

# %% [markdown]
# ## Sampling networks
# After training, measuring the circuit should give mostly low-loss networks. The cell below
# measures how far that holds in this run: the probability of the best network and of the set
# of optimal networks, and the losses of sampled networks against those of random networks.

# %%
dist = hn.distribution()
probs = dist.probs().detach()
samples = dist.sample(2000, generator=1)
sampled_loss = ev.nll(samples)
random_loss = ev.nll(torch.randint(0, 2, (2000, model.num_bits)))
tied = qh.trainers.qhn_summary.optimal(table)
print(f"probability of the best network (the table's argmin): {float(probs[best]):.3f}")
print(f"probability of any optimal network ({int(tied.sum())} tie at the minimum loss): "
      f"{float(probs[tied].sum()):.3f}")
print(f"mean NLL of sampled networks {float(sampled_loss.mean()):.3f}, of random networks "
      f"{float(random_loss.mean()):.3f}, of the best network {float(table.min()):.3f}")

bins = np.linspace(float(table.min()), float(random_loss.max()), 60)  # shared bins: both visible
fig, ax = plt.subplots(figsize=(5.5, 3.2), layout="constrained")
ax.hist(random_loss.numpy(), bins=bins, alpha=0.6, label="random networks")
ax.hist(sampled_loss.numpy(), bins=bins, alpha=0.6, label="sampled from $q_\\theta$")
ax.set_yscale("log"); ax.set_xlabel("mean NLL on the training data"); ax.set_ylabel("networks (of 2000)")
ax.set_title("losses of sampled and of random networks"); ax.legend(); plt.show()

qh.plot.distribution(hn, evaluator=ev, top=10)  # probability (bars) and training loss (dots)
plt.show()

# %% [markdown]
# ## Decision boundaries
# Left: the most probable network alone. Right: the average prediction of 2000 sampled networks.

# %%
map_bits = qh.bitstrings.index_to_bits(int(probs.argmax()), model.num_bits)
fig, axes = plt.subplots(1, 2, figsize=(10, 4), layout="constrained")
qh.plot.decision_boundary(ev, map_bits, data, ax=axes[0], resolution=120)
qh.plot.decision_boundary(ev, samples, data, ax=axes[1], resolution=120)
plt.show()
print("test accuracy of the MAP network:", result.metrics.get("test_accuracy"))
