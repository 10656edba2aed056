r"""The local information-bottleneck loss of one unit, and how one unit takes one step on it.

For unit *l* with measured output :math:`T_l` on a batch :math:`(X, Y)`,

.. math:: L_l = I(X; T_l) - \beta\, I(T_l; Y),

with both dependences estimated from the batch's Gram matrices: the matrix-based Rényi
α-mutual information (``estimator="renyi"``, bits, :mod:`qhyper.information`) or the
normalised-CCA HSIC of the HSIC bottleneck (``estimator="hsic"``). *Y* is compared through
the linear kernel on one-hot labels; *X* and :math:`T_l` through Gaussian kernels whose
widths follow ``width`` (computed on detached features).

A :class:`UnitLearner` owns one unit and its optimiser. Its input is always a detached
tensor, so no error signal can travel from a unit's loss into any earlier unit.
"""
from __future__ import annotations

import torch

from .. import information as info
from .._checks import DTYPE, check_choice, check_count, check_instance, check_real, torch_generator
from .. import likelihood

__all__ = ["LocalObjective", "UnitLearner", "readout_loss", "check_width"]

ESTIMATORS = ("renyi", "hsic")
_PROBE = torch.tensor([[0.0], [1.0]], dtype=DTYPE)  # a two-point batch on which a width rule is tried


def check_width(width):
    """``width`` unchanged if it is a kernel width rule the estimators accept (a number > 0,
    ``"median"``, ``"silverman"``, or a scaled rule such as ``"0.5*median"``), else the
    estimators' own error, raised before any work."""
    info._width(_PROBE, torch.cdist(_PROBE, _PROBE) ** 2, width)
    return width


class LocalObjective:
    """:math:`L(T) = I(X;T) - \\beta I(T;Y)` for one batch, Gram matrices of X and Y cached."""

    def __init__(self, x0: torch.Tensor, y: torch.Tensor, beta: float, alpha: float = 2.0,
                 estimator: str = "renyi", width="median", eps: float = 1e-5):
        self.estimator = check_choice(estimator, "estimator", ESTIMATORS)
        self.beta = check_real(beta, "beta", 0, fix="the weight of I(T;Y)")
        self.alpha = info.check_alpha(alpha) if estimator == "renyi" else alpha  # HSIC has no α
        self.width = check_width(width)
        self.eps = check_real(eps, "eps", 0, low_open=True)
        if estimator == "renyi":
            self.Kx, self.Ky = info.gram(x0, "gaussian", width), info.gram(y, "linear")
        else:
            self.Kx, self.Ky = info.centred_gram(x0, "gaussian", width), info.centred_gram(y, "linear")

    def terms(self, T: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(dependence on X, dependence on Y) of the output batch ``T``."""
        if self.estimator == "renyi":
            Kt = info.gram(T, "gaussian", self.width)
            return (info.mutual_information_gram(self.Kx, Kt, self.alpha),
                    info.mutual_information_gram(Kt, self.Ky, self.alpha))
        Kt = info.centred_gram(T, "gaussian", self.width)
        return info.hsic_gram(self.Kx, Kt, self.eps), info.hsic_gram(Kt, self.Ky, self.eps)

    def __call__(self, T: torch.Tensor) -> torch.Tensor:
        ixt, ity = self.terms(T)
        return ixt - self.beta * ity


readout_loss = likelihood.mean_nll  # the readout's cross-entropy: mean NLL of its logits [N, 1 or C]


class UnitLearner:
    """One unit, its optimiser, and one training step on an objective of the unit's output.

    ``update`` of the unit decides the step: ``"autograd"`` (Adam on its own parameters),
    ``"manhattan"`` (one ±1-level pulse per device with probability ∝ ``|gradient|``, ``lr``
    is the pulse probability of the largest-gradient device) or ``"spsa"`` (simultaneous
    perturbation: ``spsa_samples`` Rademacher directions Δ at size ``spsa_c``,
    :math:`\\hat g = \\frac{1}{K}\\sum_k \\frac{L(\\theta + c\\Delta_k) - L(\\theta - c\\Delta_k)}{2c}\\Delta_k`,
    fed to Adam). ``seed`` (an int ≥ 0, a numpy or torch ``Generator``, or ``None``) seeds
    the learner's own generator (SPSA directions).
    """

    def __init__(self, unit, lr: float, seed=0, spsa_c: float = 0.2, spsa_samples: int = 4):
        self.unit = check_instance(unit, "unit", torch.nn.Module,
                                   fix="a qh.pib unit (BinaryUnit, CrossbarUnit, OpticalUnit) or a torch module")
        self.lr = check_real(lr, "lr", 0, low_open=True)
        self.kind = getattr(unit, "update", "autograd")  # plain torch modules (a readout) use autograd
        self.spsa_c = check_real(spsa_c, "spsa_c", 0, low_open=True)
        self.spsa_samples = check_count(spsa_samples, "spsa_samples")
        self._gen = torch_generator(seed)
        if self.kind == "autograd":
            self.opt = torch.optim.Adam(unit.parameters(), lr=self.lr)
        elif self.kind == "spsa":
            self.theta = torch.nn.Parameter(unit.get_params())
            self.opt = torch.optim.Adam([self.theta], lr=self.lr)
        elif self.kind != "manhattan":
            raise ValueError(f"unit {type(unit).__name__} has unknown update {self.kind!r}")

    def step(self, x: torch.Tensor, objective) -> tuple[torch.Tensor, float]:
        """Forward the (detached) input, update the unit on ``objective(T)``; returns (T detached, loss)."""
        x = x.detach()
        if self.kind == "spsa":
            return self._spsa_step(x, objective)
        self.zero_grad()
        T = self.unit(x)
        loss = objective(T)
        loss.backward()
        self.apply_gradients()
        return T.detach(), float(loss.detach())

    def zero_grad(self) -> None:
        for p in self.unit.parameters():
            p.grad = None

    def apply_gradients(self) -> None:
        """Turn the gradients already on the unit's parameters into an update."""
        if self.kind == "autograd":
            self.opt.step()
        elif self.kind == "manhattan":
            grad = self.unit.probe.grad
            if grad is not None:
                with torch.no_grad():
                    self.unit.pulse(grad, self.lr)
        else:
            raise ValueError("an SPSA (black-box) unit has no gradients to apply; it trains only from "
                             "forward passes (use a local trainer such as LocalIB)")
        self.zero_grad()
        getattr(self.unit, "after_step", lambda: None)()

    @torch.no_grad()
    def _spsa_step(self, x, objective):
        theta = self.theta.detach().clone()
        grad = torch.zeros_like(theta)
        for _ in range(self.spsa_samples):
            delta = torch.randint(0, 2, theta.shape, generator=self._gen).to(DTYPE) * 2 - 1
            self.unit.set_params(theta + self.spsa_c * delta)
            up = float(objective(self.unit(x)))
            self.unit.set_params(theta - self.spsa_c * delta)
            down = float(objective(self.unit(x)))
            grad += (up - down) / (2 * self.spsa_c) * delta
        self.unit.set_params(theta)
        T = self.unit(x)
        loss = float(objective(T))
        self.theta.grad = grad / self.spsa_samples
        with torch.enable_grad():
            self.opt.step()
        self.unit.set_params(self.theta.detach())
        self.theta.data.copy_(self.unit.get_params())
        return T, loss
