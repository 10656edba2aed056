r"""Unrolled ISTA networks with fixed weight supports and one-bit weights (PIBiNN).

After Eamaz, Yeganegi & Soltanalian, *Physics-Inspired Binary Neural Networks*
(arXiv 2502.01908). Only the paper's abstract is public; this module is a reconstruction
and every assumption below is an option.

**Network** (LISTA, Gregor & LeCun 2010) with :math:`T` layers, :math:`x_0 = 0`:

.. math:: x_1 = \operatorname{soft}(W_1^{(0)} y,\ \theta_0), \qquad
          x_{t+1} = \operatorname{soft}\big(W_1^{(t)} y + W_2^{(t)} x_t,\ \theta_t\big),

:math:`\operatorname{soft}(z,\theta) = \operatorname{sign}(z)\max(|z|-\theta, 0)`
(``form="lista"``). ``form="cp"`` is the coupled form of Chen et al. (NeurIPS 2018),
:math:`W_2^{(t)} = I - W_1^{(t)} A`, i.e.
:math:`x_{t+1} = \operatorname{soft}\big(x_t + W_1^{(t)}(y - A x_t),\ \theta_t\big)`: the
known operator is used as is and only :math:`W_1` is stored and learned. ``residual=True``
learns :math:`\Delta_t = W_2^{(t)} - I` on the support of :math:`W_2`, the identity being fixed
(known, not stored): with ``"lista"`` :math:`x_{t+1} = \operatorname{soft}(W_1 y + (I+\Delta_t) x_t)`,
with ``"cp"`` a correction of the coupled form,
:math:`x_{t+1} = \operatorname{soft}\big((I+\Delta_t)x_t + W_1^{(t)}(y - A x_t),\ \theta_t\big)`,
:math:`\Delta_t = 0` at initialisation. Under one global scale every stored entry of
:math:`\Delta_t` is :math:`\pm\lambda`.
**PIBiNN uses** ``form="cp"``: with one global scale, binarising a free :math:`W_2` loses
its large diagonal, and in our measurements (``benchmarks/pibinn.py``) the coupled form
was several dB better for binary weights. Untied
networks store :math:`T` matrices :math:`W_1` and :math:`T-1` matrices :math:`W_2` (the
first layer has no :math:`W_2` since :math:`x_0 = 0`); ``tied=True`` shares one
:math:`W_1` and one :math:`W_2` across layers. Thresholds stay full precision and are
learned per layer (``threshold="per_layer"``), one for all layers (``"shared"``) or one per
output row of every layer (``"per_row"``). Initialisation is ISTA: :math:`W_1 = A^\top/L`,
:math:`W_2 = I - A^\top A/L`, :math:`\theta_t = \alpha/L`, :math:`L = \|A\|_2^2`.

**Supports** (:mod:`~qhyper.pibinn.masks`): ``mask="physics"`` fixes
:math:`W_1` to supp(Aᵀ) and :math:`W_2` to supp(AᵀA) ∪ diag; ``"dense"`` allows every
entry; a pair of boolean matrices gives a custom (stored) support. Masks are buffers.

**Weights** (:mod:`~qhyper.pibinn.quantize`): ``"real"`` (:math:`W = M\odot V`),
``"binary"`` (:math:`W = \lambda\,M\odot\operatorname{sign}(V)`, learned scales, one per
``scale`` group) or ``"ternary"`` (TWN). Quantisation is switched on by
:meth:`UnrolledISTA.quantize_` (stage 2 of :func:`~qhyper.pibinn.train`); before that the
network is its masked full-precision warm start. Progressive quantisation: while the buffer
``mix`` :math:`= a < 1` the weights are :math:`a\,Q(V) + (1-a)\,M\odot V`; training ramps
:math:`a` to 1 (``ramp_steps``), and at :math:`a = 1` the network is exactly quantised.

**Bits of a binary network** (the quantum link): bit *j* is the sign of one free weight,
:math:`w = 2b - 1` (bit 1 ↔ +1). Flat order: layer by layer (a tied network has one
layer's worth); within a layer the support entries of :math:`W_1^{(t)}` in row-major
order, then those of :math:`W_2^{(t)}`. Scales and thresholds are fixed full-precision
numbers of the model, not bits. ``forward(bits [S, n], Y [N, m]) → [S, N, n_signal]`` runs
``S`` networks at once, like :class:`~qhyper.BinaryMLP`.
"""
from __future__ import annotations

import torch

from .._checks import DTYPE, InputTypeError, as_features, check_bool, check_choice, check_count, check_real
from . import quantize as Q
from .bitlayout import SignBits
from .masks import check_masks, dense_masks, physics_masks
from .problems import InverseProblem, _as_operator, _numeric

__all__ = ["UnrolledISTA", "PIBiNN", "ISTA", "soft", "lipschitz"]

WEIGHTS = ("real", "binary", "ternary")
FORMS = ("lista", "cp")
THRESHOLDS = ("per_layer", "shared", "per_row")


def soft(z: torch.Tensor, theta: torch.Tensor) -> torch.Tensor:
    r"""Soft threshold :math:`\operatorname{sign}(z)\max(|z|-\theta, 0) = z - \operatorname{clip}(z, -\theta, \theta)`."""
    return z - torch.clamp(z, -theta, theta)


def lipschitz(A: torch.Tensor) -> float:
    r""":math:`L = \|A\|_2^2`, the Lipschitz constant of :math:`\nabla \tfrac12\|y-Ax\|^2`."""
    return float(torch.linalg.matrix_norm(A, ord=2) ** 2)


def _operator(operator) -> torch.Tensor:
    return operator.operator if isinstance(operator, InverseProblem) else _as_operator(operator)


class UnrolledISTA(SignBits, torch.nn.Module):
    r"""A LISTA network on a fixed support with real, binary or ternary weights.

    Args:
        operator: the forward operator :math:`A` [m, n] (or an
            :class:`~qhyper.pibinn.InverseProblem`, whose operator is used).
        layers: number of unrolled iterations :math:`T \ge 1`.
        mask: ``"physics"``, ``"dense"`` or a pair ``(M1 [n, m], M2 [n, n])`` of boolean
            supports (a custom support is charged for in the storage report).
        weights: ``"real"``, ``"binary"`` or ``"ternary"``.
        scale: scale groups of binary/ternary weights: ``"global"`` (one λ for the whole
            network), ``"per_layer"`` (one per weight matrix) or ``"per_row"`` (one per
            output row). Default ``"global"`` for binary, ``"per_layer"`` for ternary
            (TWN); ignored for real weights.
        tied: share :math:`W_1, W_2` across layers (thresholds stay per layer).
        reg: the ℓ1 weight :math:`\alpha` of the ISTA initialisation (thresholds
            :math:`\alpha/L`).
        residual: learn :math:`\Delta = W_2 - I` on the support of :math:`W_2` (with ``"cp"``:
            :math:`W_2 = I + \Delta - W_1 A`).
        form: ``"lista"`` (free :math:`W_2`) or ``"cp"`` (:math:`W_2 = I - W_1 A`).
        threshold: ``"per_layer"`` (one :math:`\theta_t` per layer), ``"shared"`` (one for
            all layers) or ``"per_row"`` (one per output row of every layer).

    Example:
        >>> problem = qh.pibinn.load_problem("block_cs", seed=0)
        >>> net = qh.pibinn.UnrolledISTA(problem.operator, layers=8, weights="binary")
        >>> net(problem.Y_test).shape
        torch.Size([1000, 64])
    """

    def __init__(self, operator, layers: int = 8, mask="physics", weights: str = "real",
                 scale: str | None = None, tied: bool = False, reg: float = 0.05,
                 residual: bool = False, form: str = "lista", threshold: str = "per_layer"):
        super().__init__()
        A = _operator(operator)
        T = check_count(layers, "layers", fix="the number of unrolled iterations")
        check_choice(weights, "weights", WEIGHTS)
        scale = check_choice(scale or ("per_layer" if weights == "ternary" else "global"), "scale", Q.SCALES)
        reg = check_real(reg, "reg", 0, fix="the ℓ1 weight of the ISTA initialisation")
        check_choice(form, "form", FORMS)
        tied, residual = check_bool(tied, "tied"), check_bool(residual, "residual")
        check_choice(threshold, "threshold", THRESHOLDS)
        m, n = A.shape
        if isinstance(mask, str):
            if mask not in ("physics", "dense"):
                raise ValueError(f"mask must be 'physics', 'dense' or a pair (M1, M2) of boolean supports; got {mask!r}")
            M1, M2 = physics_masks(A) if mask == "physics" else dense_masks(A)
            self.mask_kind = mask
        else:
            if not isinstance(mask, (tuple, list)):
                raise InputTypeError(f"mask must be 'physics', 'dense' or a pair (M1 [n, m], M2 [n, n]) of boolean "
                                     f"supports; got {type(mask).__name__} {mask!r:.60}")
            if len(mask) != 2:
                raise ValueError("a custom mask must be a pair (M1 [n, m], M2 [n, n])")
            M1, M2 = check_masks(mask[0], mask[1], (m, n))
            self.mask_kind = "custom"
        self.layers, self.tied, self.weight_kind, self.scale_kind = T, bool(tied), weights, scale
        self.form, self.threshold_kind = form, threshold
        self.register_buffer("A", A)
        self.register_buffer("M1", M1.to(DTYPE))
        self.register_buffer("M2", M2.to(DTYPE))
        self.register_buffer("quantized", torch.tensor(False))
        self.register_buffer("mix", torch.tensor(1.0, dtype=DTYPE))
        L = lipschitz(A)
        L1 = 1 if tied else T
        L2 = 0 if T == 1 or (form == "cp" and not residual) else (1 if tied else T - 1)
        W1 = (A.T / L) * self.M1
        self.residual = bool(residual)
        W2 = (torch.eye(n, dtype=DTYPE) * (not residual) - A.T @ A / L) * self.M2
        if form == "cp":  # the coupled form's own W2 is I − W1·A; Δ starts at 0
            W2 = torch.zeros(n, n, dtype=DTYPE)
        self.V1 = torch.nn.Parameter(W1.repeat(L1, 1, 1))
        self.V2 = torch.nn.Parameter(W2.repeat(L2, 1, 1))
        shape = {"per_layer": (T,), "shared": (1,), "per_row": (T, n)}[threshold]
        self.theta = torch.nn.Parameter(torch.full(shape, reg / L, dtype=DTYPE))
        if weights == "binary":
            if scale == "global":
                self.lam = torch.nn.Parameter(torch.ones((), dtype=DTYPE))
            else:
                self.lam1 = torch.nn.Parameter(torch.ones(Q.group_shape(scale, L1, n), dtype=DTYPE))
                self.lam2 = torch.nn.Parameter(torch.ones(Q.group_shape(scale, L2, n), dtype=DTYPE))
        self._idx1 = torch.nonzero(M1.flatten()).flatten()
        self._idx2 = torch.nonzero(M2.flatten()).flatten()

    # ------------------------------------------------------------------ structure
    @property
    def in_features(self) -> int:
        """Measurements per input, m."""
        return self.A.shape[0]

    @property
    def out_features(self) -> int:
        """Signal length, n."""
        return self.A.shape[1]

    @property
    def output(self) -> str:
        """``"regression"``: the :class:`~qhyper.Evaluator` uses a Gaussian likelihood."""
        return "regression"

    @property
    def layer_sizes(self) -> list[int]:
        """Widths of the unrolled iterates ``[m, n, …, n]`` (sizes the Evaluator's chunks)."""
        return [self.in_features] + [self.out_features] * self.layers

    def logit_groups(self, X, choice: int = 0):
        """``None``: outputs do not split into few-bit groups; loss tables enumerate."""
        return None

    def _pairs(self):
        return [(self.V1, self.M1), (self.V2, self.M2)]

    def _scales(self):
        if self.scale_kind == "global":
            return [self.lam, self.lam]
        return [self.lam1, self.lam2]

    # ------------------------------------------------------------------ weights
    @torch.no_grad()
    def quantize_(self) -> "UnrolledISTA":
        """Switch on quantisation (stage 2); a binary network's λ starts at the closed form ``mean_M |V|``."""
        if self.weight_kind == "real":
            raise ValueError("a real-weight network has nothing to quantise; build it with weights='binary' or 'ternary'")
        if self.weight_kind == "binary":
            means = Q.group_mean([(V.abs(), M) for V, M in self._pairs()], self.scale_kind)
            for lam, mean in zip(self._scales(), means):
                lam.copy_(mean.reshape(lam.shape) if lam.ndim else mean)
        self.clip_()
        self.quantized.fill_(True)
        return self

    @torch.no_grad()
    def clip_(self) -> None:
        """Clip latent weights to [−1, 1] and zero them off the support."""
        for V, M in self._pairs():
            V.clamp_(-1.0, 1.0).mul_(M)

    def weights(self) -> tuple[torch.Tensor, torch.Tensor]:
        """Effective weights ``(W1 [L1, n, m], W2 [L2, n, n])``, exactly 0 off the support."""
        pairs = self._pairs()
        if not bool(self.quantized):
            W = [V * M for V, M in pairs]
        elif self.weight_kind == "binary":
            W = Q.binary(pairs, self._scales())
        else:
            W = [w * M for w, (_, M) in zip(Q.ternary(pairs, self.scale_kind), pairs)]
        a = float(self.mix)
        if bool(self.quantized) and a < 1:  # progressive quantisation
            W = [a * w + (1 - a) * V * M for w, (V, M) in zip(W, pairs)]
        if self.residual:
            return W[0], W[1] + torch.eye(self.out_features, dtype=DTYPE)
        return W[0], W[1]

    def thresholds(self) -> torch.Tensor:
        r"""The thresholds :math:`\theta_t \ge 0` actually used: [T] (``[T, n]`` per row)."""
        theta = torch.relu(self.theta)
        return theta.expand(self.layers) if self.threshold_kind == "shared" else theta

    # ------------------------------------------------------------------ forward
    def forward(self, Y_or_bits, Y=None) -> torch.Tensor:
        """``net(Y [N, m]) → X̂ [N, n]``; ``net(bits [S, b], Y [N, m]) → [S, N, n]`` (binary networks)."""
        if Y is None:
            W1, W2 = self.weights()
            Y = as_features(_numeric(Y_or_bits, "Y"), self.in_features, "Y")
            return self._unroll(Y, W1, W2, batched=False)
        with torch.no_grad():  # networks given by bits: scales and thresholds are fixed numbers
            W1, W2 = self.decode(Y_or_bits)
            return self._unroll(as_features(_numeric(Y, "Y"), self.in_features, "Y"), W1, W2, batched=True)

    def iterates(self, Y) -> list[torch.Tensor]:
        """Every iterate ``[x_1, …, x_T]`` (each [N, n]) of ``Y`` [N, m] (what distillation matches)."""
        W1, W2 = self.weights()
        return self._unroll(as_features(_numeric(Y, "Y"), self.in_features, "Y"), W1, W2, False, every=True)

    def _unroll(self, Y, W1, W2, batched: bool, every: bool = False):
        theta, out = self.thresholds(), []
        t1 = lambda t: 0 if self.tied else t  # noqa: E731
        t2 = lambda t: 0 if self.tied else t - 1  # noqa: E731
        if batched:
            W1, W2 = W1.transpose(0, 1), W2.transpose(0, 1)  # [L, S, n, ·]
        x = soft(Y @ W1[0].transpose(-1, -2), theta[0])
        for t in range(1, self.layers):
            out.append(x)
            if self.form == "cp":
                step = x @ W2[t2(t)].transpose(-1, -2) if self.residual else x
                x = soft(step + (Y - x @ self.A.T) @ W1[t1(t)].transpose(-1, -2), theta[t])
            else:
                x = soft(Y @ W1[t1(t)].transpose(-1, -2) + x @ W2[t2(t)].transpose(-1, -2), theta[t])
        return [*out, x] if every else x

    def extra_repr(self) -> str:
        return (f"A {tuple(self.A.shape)}, layers={self.layers}, mask={self.mask_kind!r}, "
                f"weights={self.weight_kind!r}, scale={self.scale_kind!r}, tied={self.tied}, form={self.form!r}, "
                f"residual={self.residual}, threshold={self.threshold_kind!r}")


def PIBiNN(operator, layers: int = 8, tied: bool = False, reg: float = 0.05,
           form: str = "cp") -> UnrolledISTA:
    """The PIBiNN preset: physics mask, binary weights, one global scale λ, coupled form."""
    return UnrolledISTA(operator, layers=layers, mask="physics", weights="binary", scale="global",
                        tied=tied, reg=reg, form=form)


class ISTA(torch.nn.Module):
    r"""Plain ISTA, unlearned: ``iterations`` steps of
    :math:`x \leftarrow \operatorname{soft}(x + A^\top(y - Ax)/L,\ \alpha/L)` from :math:`x_0 = 0`.

    The only stored number is :math:`\alpha` (``reg``); everything else is the operator.
    """

    def __init__(self, operator, iterations: int = 8, reg: float = 0.05):
        super().__init__()
        A = _operator(operator)
        self.layers = check_count(iterations, "iterations")
        self.reg = check_real(reg, "reg", 0, fix="the ℓ1 weight")
        self.register_buffer("A", A)
        self.L = lipschitz(A)

    @property
    def in_features(self) -> int:
        return self.A.shape[0]

    def forward(self, Y) -> torch.Tensor:
        Y = as_features(_numeric(Y, "Y"), self.in_features, "Y")
        x = torch.zeros(Y.shape[0], self.A.shape[1], dtype=DTYPE)
        for _ in range(self.layers):
            x = soft(x + (Y - x @ self.A.T) @ self.A / self.L, self.reg / self.L)
        return x
