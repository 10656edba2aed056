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

fig, ax = plt.subplots(figsize=(5, 3))
ax.plot(result.history["expected_loss"], label="expected loss $E_q[L]$")
ax.axhline(float(table.min()), color="k", ls="--", lw=1, label="best network")
ax.set_xlabel("objective evaluation"); ax.legend(); plt.show()

# %% [markdown]
# ## Sampling networks
# After training, measuring the circuit gives good networks with high probability. Compare the
# losses of sampled networks with those of random networks.

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

fig, ax = plt.subplots(figsize=(5, 3))
ax.hist(random_loss.numpy(), bins=60, alpha=0.6, label="random networks", density=True)
ax.hist(sampled_loss.numpy(), bins=60, alpha=0.6, label="sampled from $q_\\theta$", density=True)
ax.set_xlabel("mean NLL"); ax.legend(); plt.show()

top = torch.argsort(probs, descending=True)[:10]
fig, ax = plt.subplots(figsize=(6, 3))
ax.bar(range(10), probs[top].numpy())
ax.set_xticks(range(10), [f"{int(i)}" for i in top], rotation=60)
ax.set_ylabel("$q_\\theta(b)$"); ax.set_title("the ten most probable networks (index)")
plt.show()

# %% [markdown]
# ## Decision boundaries
# Left: the most probable network alone. Right: the average prediction of 2000 sampled networks.

# %%
g = np.linspace(-3.5, 3.5, 120)
grid = np.stack(np.meshgrid(g, g), -1).reshape(-1, 2)
map_bits = qh.bitstrings.index_to_bits(int(probs.argmax()), model.num_bits)
p_map = ev.predict_proba(map_bits, grid)[0, :, 1].reshape(120, 120)
p_avg = ev.predictive(samples, X=grid)[:, 1].reshape(120, 120)
fig, axes = plt.subplots(1, 2, figsize=(9, 4))
for ax, p, title in zip(axes, (p_map, p_avg), ("MAP network", "sampled average")):
    ax.contourf(g, g, p.numpy(), levels=20, cmap="coolwarm", alpha=0.7)
    ax.scatter(*data.X_test[:300].T, c=data.y_test[:300], s=4, cmap="coolwarm", edgecolors="k", linewidths=0.2)
    ax.set_title(title)
plt.show()
print("test accuracy of the MAP network:", result.metrics.get("test_accuracy"))
