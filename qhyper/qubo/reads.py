"""The reads of a QUBO trainer's mini-batch problems, each decoded to a network and scored
on the whole training set by the shared Evaluator (accuracy first, then NLL)."""
from __future__ import annotations

import numpy as np
import torch

__all__ = ["Reads", "best_read"]


class Reads:
    """The reads of one mini-batch problem, each decoded and scored on the whole training set."""

    def __init__(self, idx, enc, build_time: float, evaluator):
        self.idx, self.enc, self.build_time, self.evaluator = idx, enc, build_time, evaluator
        self.states, self.energies, self.bits, self.keys, self.time = [], [], [], [], 0.0

    @property
    def count(self) -> int:
        return sum(len(b) for b in self.bits)

    def add(self, states: np.ndarray, energies: np.ndarray, seconds: float) -> None:
        bits = torch.as_tensor(self.enc.weights_of(states), dtype=torch.float64)
        acc, nll = self.evaluator.accuracy(bits), self.evaluator.nll(bits)
        self.states.append(states)
        self.energies.append(energies)
        self.bits.append(bits)
        self.keys += [(-float(a), float(b)) for a, b in zip(acc, nll)]
        self.time += seconds

    def best(self) -> tuple[torch.Tensor, tuple[float, float]]:
        """The read with the highest accuracy (ties: lowest NLL; then the first) and its key."""
        j = min(range(len(self.keys)), key=self.keys.__getitem__)
        return torch.cat(self.bits)[j].clone(), self.keys[j]

    def record(self, X, y, r, model) -> dict:
        """This problem's entry in ``state["batches"]``."""
        states, bits = np.concatenate(self.states), torch.cat(self.bits)
        grid = self.evaluator.with_data(np.rint(X[self.idx] * r) / r, y[self.idx])
        return {"num_variables": self.enc.num_variables, "num_interactions": self.enc.num_interactions,
                "build_time": self.build_time, "solve_time": self.time, "energies": np.concatenate(self.energies),
                "errors": np.rint((1 - grid.accuracy(bits).numpy()) * len(self.idx)),
                "margins": self.enc.margins(self.enc.weights_of(states)) if model.num_hidden_layers else None}


def best_read(solved: list[Reads]) -> tuple[torch.Tensor, tuple[float, float]]:
    """The best read over every problem solved (ties: the earliest)."""
    return min((reads.best() for reads in solved if reads.count), key=lambda bk: bk[1])
