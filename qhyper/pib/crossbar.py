r"""A simulated memristor crossbar as a PIB unit (differential pairs, few levels, noise, faults).

Each weight is a pair of devices, :math:`w_{ij} = G^+_{ij} - G^-_{ij}` (normalised so that
:math:`g_\text{max} = 1`). A device sits on one of ``levels`` programmable states
:math:`k \in \{0, \dots, L-1\}`; its conductance is

.. math:: G = \frac{k}{L-1}\,(1 + \sigma_\text{d2d}\,\xi), \qquad \xi \sim \mathcal N(0, 1)
          \text{ fixed per device (device-to-device variation)},

and every read multiplies it by :math:`(1 + \sigma_\text{read}\,\eta)`, η fresh Gaussian
noise (read noise). The bias is one more input column driven at 1. The periphery returns

.. math:: T = \tanh\!\big(g\,(G^+ - G^-)[x; 1] / \sqrt{d_\text{in}+1}\big)

with a fixed gain *g*. **Training** is in situ: the local loss gives
:math:`\delta = \partial L / \partial T` from measured outputs, and the gradient with respect
to the effective weights is the outer product of measured quantities (in the simulation it
is collected on the zero parameter ``probe``, added to the read weights). The update is the
**Manhattan rule**: device pair *ij* receives one pulse with probability
:math:`\min(1, \eta_\text{lr} |g_{ij}| / \max|g|)`; a pulse moves the weight one level
against the gradient's sign (lowering :math:`G^+` if it is above 0, else raising
:math:`G^-`, and conversely).

Faults: ``"stuck_at"`` (a device stuck fully off or fully on, at random), ``"stuck_off"``
(:math:`G = 0`), ``"stuck_on"`` (:math:`G = g_\text{max}` with its variation). A stuck device
ignores pulses.
"""
from __future__ import annotations

import math

import torch

from .._checks import DTYPE, check_count, check_real, torch_generator
from .base import Unit, check_fault_rate

__all__ = ["CrossbarUnit"]


class CrossbarUnit(Unit):
    """Differential memristor pairs with ``levels`` states, variation ``d2d``, read noise ``read_noise``.

    ``seed`` (an int ≥ 0, a numpy or torch ``Generator``, or ``None``) seeds the unit's own
    generator: the initial levels, the device variation, read noise and pulses."""

    update = "manhattan"
    fault_kinds = ("stuck_at", "stuck_off", "stuck_on")

    def __init__(self, in_features: int, out_features: int, levels: int = 16, d2d: float = 0.05,
                 read_noise: float = 0.02, gain: float = 3.0, seed=0):
        super().__init__(in_features, out_features)
        self.levels = check_count(levels, "levels", minimum=2, fix="a device needs at least 2 conductance levels")
        self.d2d = check_real(d2d, "d2d", 0, fix="a standard deviation")
        self.read_noise = check_real(read_noise, "read_noise", 0, fix="a standard deviation")
        self.gain = check_real(gain, "gain", 0, low_open=True,
                               fix="the periphery's amplification; at 0 every output would be tanh(0) = 0")
        self._gen = torch_generator(seed)
        shape = (2, out_features, in_features + 1)  # (G+, G-) pairs, bias column last
        self.register_buffer("level", torch.randint(0, self.levels, shape, generator=self._gen))
        self.register_buffer("variation", 1.0 + self.d2d * torch.randn(shape, generator=self._gen, dtype=DTYPE))
        self.register_buffer("fault_mask", torch.zeros(shape, dtype=torch.bool))
        self.register_buffer("stuck_level", torch.zeros(shape, dtype=torch.long))
        self.probe = torch.nn.Parameter(torch.zeros(out_features, in_features + 1, dtype=DTYPE))

    def conductances(self) -> torch.Tensor:
        """Nominal conductances of both devices of every pair, [2, out, in+1] (no read noise)."""
        k = torch.where(self.fault_mask, self.stuck_level, self.level).to(DTYPE)
        return k / (self.levels - 1) * self.variation

    def read_weights(self) -> torch.Tensor:
        """One noisy read of the effective weights :math:`G^+ - G^-` [out, in+1]."""
        G = self.conductances()
        if self.read_noise:
            G = G * (1.0 + self.read_noise * torch.randn(G.shape, generator=self._gen, dtype=DTYPE))
        return G[0] - G[1]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        w = self.read_weights() + self.probe
        h = x @ w[:, :-1].T + w[:, -1]
        return torch.tanh(self.gain * h / math.sqrt(w.shape[1]))

    def pulse(self, grad: torch.Tensor, rate: float) -> int:
        """Apply the Manhattan rule for the weight gradient ``grad`` [out, in+1]; returns the pulse count."""
        scale = grad.abs().max()
        if not scale > 0:
            return 0
        p = (rate * grad.abs() / scale).clamp(max=1.0)
        fire = torch.rand(grad.shape, generator=self._gen, dtype=DTYPE) < p
        down = fire & (grad > 0)  # lower the weight
        up = fire & (grad < 0)
        plus, minus = self.level[0].clone(), self.level[1].clone()
        top = self.levels - 1
        # lower w: G+ down if possible, else G- up; raise w: G- down if possible, else G+ up
        plus = torch.where(down & (plus > 0), plus - 1, plus)
        minus = torch.where(down & (self.level[0] == 0), (minus + 1).clamp(max=top), minus)
        minus2 = torch.where(up & (minus > 0), minus - 1, minus)
        plus = torch.where(up & (minus == 0), (plus + 1).clamp(max=top), plus)
        new = torch.stack([plus, minus2])
        self.level.copy_(torch.where(self.fault_mask, self.level, new))
        return int(fire.sum())

    def after_step(self) -> None:
        with torch.no_grad():
            self.probe.zero_()

    def inject_faults(self, rate: float, kind: str = "stuck_at", seed=None) -> int:
        rate = check_fault_rate(rate, kind, self.fault_kinds)
        g = torch_generator(seed)
        new = torch.rand(self.fault_mask.shape, generator=g, dtype=DTYPE) < rate
        if kind == "stuck_at":
            on = torch.rand(new.shape, generator=g, dtype=DTYPE) < 0.5
        else:
            on = torch.full(new.shape, kind == "stuck_on")
        fresh = new & ~self.fault_mask
        self.stuck_level[fresh] = torch.where(on, self.levels - 1, 0)[fresh]
        self.fault_mask |= new
        return self.num_faults
