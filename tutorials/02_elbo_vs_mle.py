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
# # 2 · The Bayesian view: exact posterior, ELBO training, and what it buys on little data
#
# MLE puts all of $q_\theta$'s mass on the networks with the lowest training loss. With few
# training points many networks fit equally well, and betting on one of them over-fits. The
# Bayesian answer is the posterior $\pi(b) \propto p(b)\,p(D|b)$, and the circuit can
# approximate it by maximising the **evidence lower bound**
#
# $$\mathrm{ELBO}(\theta) = \mathbb{E}_{q_\theta}[\log p(D|b)] - \mathrm{KL}(q_\theta \,\|\, p),
# \qquad \log p(D) - \mathrm{ELBO}(\theta) = \mathrm{KL}(q_\theta \,\|\, \pi) \ge 0 .$$
#
# With a uniform prior the KL term is $n\log 2 - H(q_\theta)$: the ELBO is MLE's objective
# plus the entropy of the circuit's distribution. For $n \le 26$ or so we can enumerate
# every network, so the exact posterior is available as an oracle to measure against.

# %%
import os

import matplotlib.pyplot as plt
import numpy as np
import torch

import qhyper as qh

SMOKE = bool(os.environ.get("QHYPER_SMOKE") or os.environ.get("CI"))
STEPS = 3 if SMOKE else 400
SEEDS = [0] if SMOKE else [0, 1, 2]

# %% [markdown]
# ## A small training set and the exact posterior
# 30 training points of the Gaussian-mixture task, the 18-qubit network of notebook 1.

# %%
full = qh.datasets.load("gaussian_mixture", n_train=2000, n_test=2000, seed=0)
data = full.subsample(30, seed=0)
model = qh.BinaryMLP([2, 4, 1], activation=["relu", "sigmoid"])
ev = qh.Evaluator.from_dataset(model, data)
post = qh.ExactPosterior(ev)
print(post)
print("posterior-predictive test accuracy:", post.predictive_accuracy(data.X_test, data.y_test))
print("MAP network test accuracy:", float(ev.test().accuracy(post.map_bits)[0]))

# %% [markdown]
# ## ELBO training, watching KL(q ‖ posterior)
# A plain torch loop makes the identity visible: at every step
# $\log p(D) - \mathrm{ELBO} = \mathrm{KL}(q_\theta\|\pi)$.

# %%
ll = ev.log_likelihood_table()
n = model.num_bits
hn = qh.Hypernetwork(qh.circuits.get("brick", n_qubits=n, layers=2), seed=0)
with torch.no_grad():
    hn.theta.copy_(hn.ansatz.init_params(0))
opt = torch.optim.Adam(hn.parameters(), lr=0.05)
kl_trace, gap_trace = [], []
for step in range(STEPS):
    q = hn.distribution().probs()
    elbo = q @ ll - (n * np.log(2) - hn.distribution().entropy())
    opt.zero_grad()
    (-elbo).backward()
    opt.step()
    kl_trace.append(post.kl_from(q.detach()))
    gap_trace.append(post.log_evidence - float(elbo.detach()))
print(f"final KL(q || posterior) = {kl_trace[-1]:.4f}; log p(D) - ELBO = {gap_trace[-1]:.4f}")

fig, ax = plt.subplots(figsize=(5, 3))
ax.semilogy(kl_trace, label="KL$(q_\\theta\\|\\pi)$")
ax.semilogy(gap_trace, "--", label="$\\log p(D) - $ELBO")
ax.set_xlabel("step"); ax.set_ylabel("nats"); ax.set_title("ELBO training: the gap is the KL"); ax.legend(); plt.show()

# %% [markdown]
# ## Why the KL stays above a few nats: the posterior's permutation symmetry
# Permuting the 4 hidden units (their input weights, biases and output weights) leaves every
# prediction unchanged, so the posterior is a mixture of up to $4! = 24$ permuted copies of each
# network. A circuit that settles on one copy is up to $\log 24 = 3.18$ nats from the posterior
# however well it fits that copy. `qh.symmetry.symmetrise` averages $q_\theta$ over the 24
# permutations — draw a network from the circuit, then permute its hidden units at random —
# which predicts the same and is never further from the posterior.
#
# `qh.objectives.ELBO()` fits that symmetrised distribution by default (`symmetrise="auto"`,
# for a BinaryMLP with hidden units), and `QHN` tempers it (`anneal="auto"`: the KL weight
# starts high, where the optimum is broad, and falls to 1 over the first half of the budget,
# so the fit does not settle on the first mode it meets). The plain loop above does neither.

# %%
perms = qh.symmetry.hidden_permutations(model)
q_final = hn.distribution().probs().detach()
print(f"{perms.shape[0]} hidden-unit permutations; KL(q || posterior) = {post.kl_from(q_final):.3f} nats, "
      f"symmetrised KL = {post.kl_from(qh.symmetry.symmetrise(q_final, model)):.3f} nats")

# %% [markdown]
# ## MLE against ELBO, MAP against posterior-predictive
# The `QHN` trainer runs both objectives; each result reports the MAP network's test accuracy
# and that of the average prediction over the circuit's distribution (`predictive_*`).

# %%
rows = []
for seed in SEEDS:
    for name, objective in (("MLE", qh.objectives.MLE()), ("ELBO", qh.objectives.ELBO(beta=1.0))):
        hn = qh.Hypernetwork(qh.circuits.get("brick", n_qubits=n, layers=2), seed=seed)
        res = qh.trainers.QHN(objective=objective, optimizer="adam", steps=STEPS, lr=0.05, seed=seed,
                              progress=False).fit(hn, ev)
        q = hn.distribution().probs().detach()
        rows.append((name, seed, res.metrics["test_accuracy"], res.metrics["predictive_test_accuracy"],
                     post.kl_from(q), post.kl_from(qh.symmetry.symmetrise(q, model)), float(res.metrics["entropy"])))
print(f"{'objective':<10}{'seed':>5}{'MAP test acc':>14}{'predictive':>12}{'KL(q||post)':>13}{'KL(q̄||post)':>13}{'H(q)':>8}")
for r in rows:
    print(f"{r[0]:<10}{r[1]:>5}{r[2]:>14.3f}{r[3]:>12.3f}{r[4]:>13.3f}{r[5]:>13.3f}{r[6]:>8.3f}")

fig, ax = plt.subplots(figsize=(5, 3))
for k, name in enumerate(("MLE", "ELBO")):
    vals = [(r[2], r[3]) for r in rows if r[0] == name]
    ax.scatter(np.full(len(vals), k) - 0.1, [v[0] for v in vals], marker="o", label="MAP network" if k == 0 else None, c="C0")
    ax.scatter(np.full(len(vals), k) + 0.1, [v[1] for v in vals], marker="s", label="posterior predictive" if k == 0 else None, c="C1")
ax.axhline(post.predictive_accuracy(data.X_test, data.y_test), color="k", ls="--", lw=1, label="exact posterior")
ax.set_xticks([0, 1], ["MLE", "ELBO"]); ax.set_ylabel("test accuracy"); ax.set_title("MAP and predictive, per seed")
ax.legend(fontsize=7); plt.show()

# %% [markdown]
# The numbers above are whatever this run measured: on some seeds MLE's single network is as
# good as any average. `benchmarks/elbo_vs_mle.py` repeats this over more seeds and sizes.
