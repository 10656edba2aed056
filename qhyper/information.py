r"""Matrix-based Rényi α-entropy and mutual information of a batch (Giraldo, Rao & Príncipe 2015).

For a batch of *N* samples and a positive-definite kernel κ, the **normalised Gram matrix**
is :math:`A = K / \operatorname{tr} K` with :math:`K_{ij} = \kappa(x_i, x_j)`. Its
eigenvalues are non-negative and sum to one, and the entropy (in bits) is

.. math:: S_\alpha(A) = \frac{1}{1-\alpha}\log_2 \sum_i \lambda_i(A)^\alpha
          \in [0, \log_2 N].

For α = 2, :math:`\sum_i \lambda_i^2 = \lVert A \rVert_F^2`, so
:math:`S_2(A) = -\log_2 \lVert A\rVert_F^2` needs no eigendecomposition; other α use
``torch.linalg.eigvalsh``. The joint entropy and mutual information are

.. math:: S_\alpha(A, B) = S_\alpha\!\Big(\frac{A\circ B}{\operatorname{tr}(A\circ B)}\Big),
          \qquad I_\alpha(A; B) = S_\alpha(A) + S_\alpha(B) - S_\alpha(A, B).

With a kernel whose Gram entries are 0 or 1 (the linear kernel on one-hot labels),
:math:`A\circ A \propto A` and :math:`I_\alpha(X;X) = S_\alpha(X)` exactly; with a Gaussian
kernel :math:`A\circ A` is the Gram matrix of half the squared width, so
:math:`I_\alpha(X;X) \le S_\alpha(X)`, with equality only in the limit of well-separated
samples. For independent batches the estimate is near 0 with the median width (it can dip
slightly below 0); narrower kernels raise this finite-batch bias.

**Kernels** (``kernel=``): ``"gaussian"``
:math:`\kappa(x, x') = \exp(-\lVert x-x'\rVert^2 / 2\sigma^2)` for features,
``"linear"`` :math:`\kappa(y, y') = \langle e_y, e_{y'}\rangle = [y = y']` for integer labels
(one-hot), ``"auto"`` (default) picks linear for a 1-D integer tensor and Gaussian otherwise.

**Width rule** (``width=``), always computed on *detached* features so that the width is
not itself a path for gradients:

* ``"median"`` (default): σ = the median pairwise distance of the batch (the lower middle
  value for an even number of pairs);
* ``"silverman"``: σ = s · N^{−1/(4+d)} with s = :math:`\sqrt{\operatorname{tr}\operatorname{Cov}(x)}`,
  the batch's total standard deviation (Silverman's rule with the scale of distances
  in *d* dimensions);
* ``"<c>*median"`` / ``"<c>*silverman"``: the rule's σ times *c* (e.g. ``"0.5*median"``);
* a positive number: that σ.

A batch with all samples equal has σ = 0; the width then falls back to 1 (the Gram matrix is
all ones either way and the entropy is 0).

The **HSIC bottleneck** estimator (Ma, Lewis & Kleijn 2019) is :func:`hsic`, the
normalised-cross-covariance ("nocco") form of their reference code:
:math:`R = \tilde K(\tilde K + \varepsilon N I)^{-1}` with :math:`\tilde K = HKH` the centred
Gram matrix, and :math:`\operatorname{HSIC}(X, Y) = \operatorname{tr}(R_X R_Y)`.
"""
from __future__ import annotations

import math

import torch

from ._checks import DTYPE, InputTypeError, check_choice, check_real
from ._checks import real_array

__all__ = ["kernel_matrix", "gram", "renyi_entropy", "entropy", "joint_entropy", "mutual_information",
           "mutual_information_gram", "hsic", "hsic_gram", "centred_gram", "check_alpha"]

# ---------------------------------------------------------------------------- checks
def check_alpha(alpha: float) -> float:
    """α must be a positive number other than 1 (the Shannon limit, where the formula is 0/0)."""
    alpha = check_real(alpha, "alpha", 0, low_open=True, fix="the Rényi order; alpha=2 is the fast default")
    if alpha == 1:
        raise ValueError("alpha = 1 is the Shannon limit, where the Rényi formula is 0/0; "
                         "use alpha = 1.01 to approximate it, or alpha = 2 (fast)")
    return alpha


def _as_batch(X, name: str) -> torch.Tensor:
    X = torch.as_tensor(real_array(X, name))
    if X.ndim not in (1, 2):
        raise ValueError(f"{name} must be [N] labels or [N, d] features; got shape {tuple(X.shape)}")
    if X.shape[0] < 2:
        raise ValueError(f"{name} has {X.shape[0]} sample(s); a Gram-matrix estimate needs a batch of "
                         "at least 2 (use batch_size >= 2, ideally 64 or more)")
    if X.is_floating_point() and not torch.isfinite(X).all():
        raise ValueError(f"{name} contains NaN or inf; clean or impute the data first")
    return X


def _is_labels(X: torch.Tensor) -> bool:
    return X.ndim == 1 and not X.is_floating_point()


# ---------------------------------------------------------------------------- kernels
def _width(X: torch.Tensor, D2: torch.Tensor, width) -> float:
    """σ of the Gaussian kernel for the batch ``X`` with squared distances ``D2`` (both detached)."""
    if not isinstance(width, str):
        return check_real(width, "width", 0, low_open=True,
                          fix="or a rule: 'median', 'silverman', optionally scaled (e.g. '0.5*median')")
    factor, _, rule = width.rpartition("*")
    try:
        factor = float(factor) if factor else 1.0
    except ValueError:
        factor = -1.0
    if rule == "median":
        iu = torch.triu_indices(len(D2), len(D2), 1)
        sigma = float(D2[iu[0], iu[1]].median().sqrt())
    elif rule == "silverman":
        n, d = X.shape
        s = float(X.var(0, unbiased=True).sum().sqrt())
        sigma = s * n ** (-1.0 / (4 + d))
    else:
        factor = -1.0
    if not (factor > 0 and math.isfinite(factor)):
        raise ValueError(f"unknown width rule {width!r}; choose 'median', 'silverman', a scaled rule "
                         "such as '0.5*median', or a positive number")
    return factor * sigma if sigma > 0 else 1.0


def kernel_matrix(X, kernel: str = "auto", width="median") -> torch.Tensor:
    """The (unnormalised) Gram matrix K [N, N] of a batch (see the module docstring)."""
    X = _as_batch(X, "X")
    kernel = check_choice(kernel, "kernel", ("auto", "gaussian", "linear"))
    if kernel == "auto":
        kernel = "linear" if _is_labels(X) else "gaussian"
    if kernel == "linear":
        if _is_labels(X):
            return (X.view(-1, 1) == X.view(1, -1)).to(DTYPE)
        Xf = X.to(DTYPE).reshape(len(X), -1)
        return Xf @ Xf.T
    Xf = X.to(DTYPE).reshape(len(X), -1)
    sq = (Xf * Xf).sum(1)
    D2 = (sq.view(-1, 1) + sq.view(1, -1) - 2.0 * Xf @ Xf.T).clamp_min(0.0)
    if not torch.isfinite(D2.detach()).all():
        raise ValueError(f"X is too large for a Gaussian kernel: its squared distances overflow float64 (|X| "
                         f"reaches {float(Xf.detach().abs().max()):.3g}); standardise the features first")
    sigma = _width(Xf.detach(), D2.detach(), width)
    return torch.exp(-D2 / (2.0 * sigma**2))


def gram(X, kernel: str = "auto", width="median") -> torch.Tensor:
    r"""The normalised Gram matrix :math:`A = K / \operatorname{tr} K` [N, N] (trace 1)."""
    K = kernel_matrix(X, kernel, width)
    trace = K.diagonal().sum()
    if not trace > 0:
        raise ValueError("the Gram matrix has trace 0 (every sample is the zero vector under the linear kernel), "
                         "so it cannot be normalised; use kernel='gaussian' or non-zero features")
    return K / trace


# ---------------------------------------------------------------------------- entropies
def renyi_entropy(A: torch.Tensor, alpha: float = 2.0, method: str = "auto") -> torch.Tensor:
    r""":math:`S_\alpha(A)` in bits of a trace-1 PSD matrix ``A``.

    ``method="frobenius"`` (α = 2 only) uses :math:`-\log_2\lVert A\rVert_F^2`; ``"eig"``
    the eigenvalues (clamped at 0); ``"auto"`` the former for α = 2.
    """
    alpha = check_alpha(alpha)
    _square(A, "A")
    method = check_choice(method, "method", ("auto", "frobenius", "eig"))
    if method == "auto":
        method = "frobenius" if alpha == 2.0 else "eig"
    if method == "frobenius":
        if alpha != 2.0:
            raise ValueError(f"the Frobenius shortcut holds for alpha = 2 only; got alpha={alpha}")
        return -torch.log2((A * A).sum())
    lam = torch.linalg.eigvalsh(A).clamp_min(0.0)
    lam = lam / lam.sum()
    if alpha < 1:  # λ^α has an infinite slope at 0: keep gradients finite
        lam = lam.clamp_min(torch.finfo(lam.dtype).tiny)
    return torch.log2((lam**alpha).sum()) / (1.0 - alpha)


def _square(A, name: str, n: int | None = None) -> torch.Tensor:
    """A Gram matrix ``name``: a real square tensor [N, N] (of side ``n`` if given)."""
    if not isinstance(A, torch.Tensor):
        raise InputTypeError(f"{name} must be a Gram matrix, a torch tensor [N, N] (see gram()); got {type(A).__name__}")
    if A.is_complex() or A.ndim != 2 or A.shape[0] != A.shape[1]:
        raise ValueError(f"{name} must be a real square Gram matrix [N, N]; got a {A.dtype} tensor of shape {tuple(A.shape)}")
    if n is not None and A.shape[0] != n:
        raise ValueError(f"{name} is {A.shape[0]}×{A.shape[0]} but the other Gram matrix is {n}×{n}; both must "
                         "come from the same batch")
    return A


def _joint(A: torch.Tensor, B: torch.Tensor) -> torch.Tensor:
    AB = A * B
    return AB / AB.diagonal().sum()


def mutual_information_gram(A: torch.Tensor, B: torch.Tensor, alpha: float = 2.0,
                            method: str = "auto") -> torch.Tensor:
    r""":math:`I_\alpha(A;B) = S_\alpha(A) + S_\alpha(B) - S_\alpha(A\circ B/\operatorname{tr})` in bits,
    from two normalised Gram matrices of the same batch."""
    _square(B, "B", len(_square(A, "A")))
    return (renyi_entropy(A, alpha, method) + renyi_entropy(B, alpha, method)
            - renyi_entropy(_joint(A, B), alpha, method))


def entropy(X, alpha: float = 2.0, kernel: str = "auto", width="median", method: str = "auto") -> torch.Tensor:
    r""":math:`S_\alpha(X)` in bits of a batch ``X`` ([N, d] features or [N] integer labels).

    Example:
        >>> x = torch.randn(64, 3, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
        >>> 0 <= float(qh.information.entropy(x)) <= 6
        True
    """
    check_alpha(alpha)
    return renyi_entropy(gram(X, kernel, width), alpha, method)


def joint_entropy(X, Y, alpha: float = 2.0, kernel: str = "auto", width="median",
                  method: str = "auto") -> torch.Tensor:
    r""":math:`S_\alpha(X, Y)` in bits: the entropy of the Hadamard product of the two Gram matrices."""
    check_alpha(alpha)
    A, B = _pair(X, Y, kernel, width)
    return renyi_entropy(_joint(A, B), alpha, method)


def mutual_information(X, Y, alpha: float = 2.0, kernel: str = "auto", width="median",
                       method: str = "auto") -> torch.Tensor:
    r""":math:`I_\alpha(X; Y)` in bits between two batches of the same samples (differentiable)."""
    check_alpha(alpha)
    A, B = _pair(X, Y, kernel, width)
    return mutual_information_gram(A, B, alpha, method)


def _pair(X, Y, kernel, width):
    X, Y = _as_batch(X, "X"), _as_batch(Y, "Y")
    if X.shape[0] != Y.shape[0]:
        raise ValueError(f"X and Y must hold the same samples; got {X.shape[0]} and {Y.shape[0]} rows")
    return gram(X, kernel, width), gram(Y, kernel, width)


# ---------------------------------------------------------------------------- HSIC
def centred_gram(X, kernel: str = "auto", width="median") -> torch.Tensor:
    r"""The centred Gram matrix :math:`HKH`, :math:`H = I - \tfrac1N \mathbf 1\mathbf 1^\top`."""
    K = kernel_matrix(X, kernel, width)
    return K - K.mean(0, keepdim=True) - K.mean(1, keepdim=True) + K.mean()


def _nocco(Kc: torch.Tensor, eps: float) -> torch.Tensor:
    n = Kc.shape[0]
    eye = torch.eye(n, dtype=Kc.dtype)
    return torch.linalg.solve(Kc + eps * n * eye, Kc)  # Kc and (Kc + εnI) commute


def hsic_gram(Kx: torch.Tensor, Ky: torch.Tensor, eps: float = 1e-5) -> torch.Tensor:
    r"""Normalised-CCA HSIC :math:`\operatorname{tr}(R_X R_Y)` from two centred Gram matrices."""
    _square(Ky, "Ky", len(_square(Kx, "Kx")))
    eps = check_real(eps, "eps", 0, low_open=True, fix="it regularises (K + eps·N·I)^-1; e.g. eps=1e-5")
    return (_nocco(Kx, eps) * _nocco(Ky, eps).T).sum()


def hsic(X, Y, eps: float = 1e-5, kernel: str = "auto", width="median") -> torch.Tensor:
    r"""The HSIC-bottleneck dependence :math:`\operatorname{tr}(R_X R_Y)` between two batches
    (Ma, Lewis & Kleijn 2019, normalised-CCA form; ε regularises the inverse)."""
    check_real(eps, "eps", 0, low_open=True, fix="it regularises (K + eps·N·I)^-1; e.g. eps=1e-5")
    X, Y = _as_batch(X, "X"), _as_batch(Y, "Y")
    if X.shape[0] != Y.shape[0]:
        raise ValueError(f"X and Y must hold the same samples; got {X.shape[0]} and {Y.shape[0]} rows")
    return hsic_gram(centred_gram(X, kernel, width), centred_gram(Y, kernel, width), eps)
