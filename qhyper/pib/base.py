"""What every PIB unit shares: how it is trained, and fault injection's input checks.

A *unit* is one trainable physical (or simulated) block: it maps its input batch ``x``
[N, d_in] to a measured output ``T`` [N, d_out]. Its ``update`` attribute says how it can
be trained from a local loss on ``T``:

* ``"autograd"`` — the unit is differentiable (a binary layer with a straight-through sign
  inside it); its own parameters get :math:`\\partial L/\\partial\\theta` by backprop *within
  the unit*;
* ``"manhattan"`` — a simulated memristor crossbar: the gradient with respect to its
  effective weights is the outer product :math:`\\delta x^\\top` of measured quantities, and the
  update is one ±1 conductance-level pulse per device (the Manhattan rule);
* ``"spsa"`` — a black box: only forward passes with perturbed parameters are allowed.
"""
from __future__ import annotations

import torch

from .._checks import check_choice, check_count, check_real

__all__ = ["Unit", "check_fault_rate"]


def check_fault_rate(rate, kind: str, kinds: tuple[str, ...]) -> float:
    """A fault rate in [0, 1] and a known fault kind, or a clear error."""
    rate = check_real(rate, "fault rate", 0, 1, fix="the fraction of devices made faulty")
    check_choice(kind, "fault kind", kinds)
    return rate


class Unit(torch.nn.Module):
    """Base class: ``forward(x) -> T``, ``update`` (how it trains), ``inject_faults``."""

    update = "autograd"
    fault_kinds: tuple[str, ...] = ("stuck_at",)

    def __init__(self, in_features: int, out_features: int):
        super().__init__()
        self.in_features = check_count(in_features, "in_features", fix="a unit needs at least one input")
        self.out_features = check_count(out_features, "out_features", fix="a unit needs at least one output")

    def __getstate__(self):
        # torch.Generator does not pickle: keep its state (units travel to Ray workers, deepcopy)
        state = self.__dict__.copy()
        for k, v in state.items():
            if isinstance(v, torch.Generator):
                state[k] = ("__generator__", v.get_state())
        return state

    def __setstate__(self, state):
        for k, v in state.items():
            if isinstance(v, tuple) and len(v) == 2 and v[0] == "__generator__":
                g = torch.Generator()
                g.set_state(v[1])
                state[k] = g
        self.__dict__.update(state)

    def after_step(self) -> None:
        """Called after every parameter update (clipping, re-imposing faults)."""

    def inject_faults(self, rate: float, kind: str = "stuck_at", seed=None) -> int:
        """Make a fraction ``rate`` of the unit's devices faulty; returns how many are now faulty.

        ``seed``: an int ≥ 0, a numpy or torch ``Generator``, or ``None`` (fresh entropy)."""
        raise NotImplementedError

    @property
    def num_faults(self) -> int:
        return int(self.fault_mask.sum())

    def extra_repr(self) -> str:
        return f"{self.in_features} -> {self.out_features}, faults={self.num_faults}"
