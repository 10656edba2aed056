r"""The training problem of a sign-activation binary network as a QUBO.

Exact construction (activation bits, slack bits, product bits, one error bit per sample)
for a :class:`~qhyper.BinaryMLP` with one output and ``sign`` hidden activations, any
depth (no hidden layer = logistic regression). Ground-state energy = the minimum number
of training errors, with :math:`\operatorname{sign}(0) = +1` as in the package.

**Variables.** Bits :math:`0 \dots n-1` are the model's weight bits in its own flat order
(so a read's first *n* entries *are* the network). Then, per sample *n* and active hidden
unit *j*: an activation bit :math:`a_{nj}` and slack bits; per sample and edge between two
variable-valued units (hidden → next layer): a product bit :math:`u = a\,\nu`; per sample:
an error bit :math:`e_n` and slack bits.

**Integer pre-activations.** Inputs are put on the grid :math:`x' = \operatorname{round}(r x)`
(exact when the data already lie on it, e.g. ±1 pixels with *r* = 1); the first layer's
:math:`z' = \sum_i x'_i w_i + r\,b` has the sign of :math:`z` and is linear in the weight
bits. Deeper layers see :math:`h = 2a-1`: :math:`h w = 4u - 2a - 2\nu + 1`, linear in
:math:`(u, a, \nu)`, with Rosenberg's penalty :math:`B(3u + a\nu - 2ua - 2u\nu)` (0 iff
:math:`u = a\nu`, else ≥ 1). Writing :math:`z = g\,\sum_v c_v x_v + c_0` with
:math:`g = \gcd(c)`, :math:`z \ge 0 \iff t \ge 0` for the integer
:math:`t = \sum_v c_v x_v + \lfloor c_0/g \rfloor \in [t_{\min}, t_{\max}]`.

**Sign of a hidden unit.** With :math:`\beta = \max(-t_{\min}, t_{\max}+1)` and slack
:math:`s \in [0, \beta-1]` (bounded binary expansion),
:math:`A\,(t + \beta(1-a) - s)^2` is zero iff :math:`a = [t \ge 0]`.

**Errors.** With :math:`t_o = t` for :math:`y=1` and :math:`t_o = -t-1` for :math:`y=0`
(correct iff :math:`t_o \ge 0`), :math:`M = \max(0, -t_{o,\min})` and
:math:`s \in [0, t_{o,\max} + M]`: :math:`C e + A\,(t_o + M e - s)^2`; :math:`e = 1` frees
the sample at cost *C* = 1. Each violated constraint costs at least *A* and can hide at most
one error, so with *A*, *B* > *C* every state's energy is ≥ the true error count of its
weights, with equality for the feasible completion of the weights.

**Margin regulariser** (after Villumsen & Sugita's "maximise neuron margins"). A hidden
unit's margin is :math:`m = (2a-1)\,z` (= :math:`|z|` when its constraint holds), *z* the
pre-activation itself, and a correctly classified sample's output margin is
:math:`(1-e)\,z_o` (:math:`z_o = \pm z`, positive when correct); both are quadratic because
*z* is linear in weight, activation and product bits at every depth. *z*, not the shifted
integer *t*: with odd fan-in :math:`t = (z-1)/2`, and rewarding *t* paid :math:`(|z|-1)/2`
to an active unit and :math:`(|z|+1)/2` to an inactive one, a tilt towards "off". The energy
gets :math:`-\frac{\mu}{U}\sum m/m_{\max}` per sample (*U* = margin units per sample,
:math:`m_{\max}` the largest :math:`|z|`), so margins are worth at most μ errors per sample
and act on the weights directly.

**Weight fields** :math:`-\sum_i h_i w_i` (linear in the weight bits) carry the
dropout-inspired scheme and mini-batch anchoring (see :mod:`qhyper.trainers.qubo`).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .builder import BQMBuilder, slack_coefficients

__all__ = ["BNNQubo", "check_encodable", "input_grid"]


def check_encodable(model) -> None:
    """Raise a clear ``ValueError`` unless the QUBO construction can encode ``model``."""
    sizes = getattr(model, "layer_sizes", None)
    if sizes is None or not hasattr(model, "layout"):
        raise ValueError(f"the QUBO trainer needs a qhyper.BinaryMLP; got {type(model).__name__}")
    if sizes[-1] != 1:
        raise ValueError(
            f"the QUBO encodes binary classifiers (one output unit, error = wrong sign); this model "
            f"has {sizes[-1]} outputs (multiclass). Use BinaryMLP([..., 1]) or another trainer (STE, QHN).")
    if len(sizes) > 2 and tuple(model.activations) != ("sign",):
        raise ValueError(
            f"the QUBO encodes hidden layers with the sign activation only (a threshold is "
            f"expressible with slack bits; {list(model.activations)} is not). Build the model "
            "with activation='sign', or use STE/QHN for this architecture.")


#: the input grids ``resolution=None`` tries, coarsest first (the last is the fallback)
GRIDS = (1, 2, 4, 8)


def input_grid(X: np.ndarray, resolution: int | None = None) -> tuple[int, float]:
    """The input grid ``r`` (inputs become ``round(r·x)``) and the largest rounding error.

    ``resolution=None`` picks the smallest of 1, 2, 4, 8 that represents the data exactly,
    else 8 (the rounding error is then reported, and the QUBO is exact for the rounded data,
    not for the data). Finer grids cost slack bits — on digits01_4x4 (data on a 1/64 grid)
    r = 4, 8, 16, 64 give 780, 912, 1040, 1296 variables — and the annealer then reaches the
    ground state less often: at the comparison's budget the trained networks had 21–26
    training errors at r = 4, 21 on all six seeds at r = 8 (the true minimum), 25–27 at
    r = 16 and 64. Pass ``resolution`` to choose.
    """
    X = np.asarray(X, dtype=float)
    if resolution is not None:
        if int(resolution) < 1:
            raise ValueError(f"input_resolution must be a positive integer; got {resolution}")
        r = int(resolution)
    else:
        r = next((c for c in GRIDS if np.allclose(X * c, np.rint(X * c), atol=1e-9)), GRIDS[-1])
    return r, float(np.abs(np.rint(X * r) / r - X).max()) if X.size else 0.0


@dataclass
class _Units:
    """A block of M unit constraints: ``t = Σ coef·x[idx] + const`` for each row."""

    idx: np.ndarray      # [M, K] labels
    coef: np.ndarray     # [M, K] integer
    const: np.ndarray    # [M]
    tmin: np.ndarray     # [M]
    tmax: np.ndarray     # [M]
    out: np.ndarray      # [M] activation (hidden) or error (output) labels
    shift: np.ndarray    # [M] β (hidden) or M (output)
    slack: np.ndarray    # [M, k] labels, −1 pads
    slack_coef: np.ndarray  # [M, k]
    products: tuple | None = None  # (u, a, ν) label arrays for this layer's product bits
    z: tuple | None = None  # (coef [M, K], const [M], zmax [M]) of the pre-activation z itself
    flip: np.ndarray | None = None  # output only: y == 0 rows are negated


def _threshold(coef, const, zmax):
    """Divide by the gcd and shift so that z ≥ 0 ⇔ t ≥ 0; return (coef, const, tmin, tmax)."""
    g = np.gcd.reduce(coef, axis=1)
    g = np.where(g == 0, 1, g)
    c0 = np.floor_divide(const, g)
    lo = np.floor_divide(-zmax - const, g) + c0
    hi = np.floor_divide(zmax - const, g) + c0
    return coef // g[:, None], c0, lo, hi


class BNNQubo:
    """Binary quadratic model of training ``model`` on ``(X, y)`` (see the module docs).

    Args:
        model: a :class:`~qhyper.BinaryMLP` accepted by :func:`check_encodable`.
        X, y: inputs [N, d] and labels in {0, 1}.
        resolution: input grid *r* (see :func:`input_grid`).
        margin: μ, the margin reward per sample in units of errors (0 = off).
        penalty: constraint weights are ``A = B = penalty · (1 + μ)`` (must exceed 1 + μ).
        keep: per hidden layer a boolean mask of the units in the (sub)network; dropped
            units have no constraints and feed nothing forward.

    Attributes: ``bqm`` (dimod BINARY model without weight fields), ``num_bits``.
    """

    def __init__(self, model, X, y, resolution: int = 1, margin: float = 0.0,
                 penalty: float = 1.25, keep=None):
        check_encodable(model)
        if margin < 0:
            raise ValueError(f"margin must be >= 0; got {margin}")
        if penalty <= 1:
            raise ValueError(f"penalty must be > 1 (constraints must outweigh an error); got {penalty}")
        X = np.asarray(X, dtype=float)
        y = np.asarray(y, dtype=np.int64)
        if set(np.unique(y)) - {0, 1}:
            raise ValueError("the QUBO needs binary labels 0/1")
        self.model, self.N = model, len(y)
        self.num_bits = model.num_bits
        sizes = model.layer_sizes
        hidden = sizes[1:-1]
        keep = [np.ones(h, bool) for h in hidden] if keep is None else [np.asarray(k, bool) for k in keep]
        if len(keep) != len(hidden) or any(k.shape != (h,) or not k.any() for k, h in zip(keep, hidden)):
            raise ValueError(f"keep needs one non-empty boolean mask per hidden layer, sizes {hidden}")
        self.keep = keep
        self.A = float(penalty) * (1.0 + margin)
        self.margin = float(margin)
        margin_units = sum(int(k.sum()) for k in keep) + 1
        self._reward = self.margin / margin_units

        b = BQMBuilder()
        weights = b.new(self.num_bits)
        Xq = np.rint(X * resolution).astype(np.int64)
        r = int(resolution)
        self.layers: list[_Units] = []
        prev = None  # activation labels [N, K] of the previous layer's active units
        for l in range(1, len(sizes)):
            W = weights[model.block(f"W{l}").start : model.block(f"W{l}").stop].reshape(sizes[l], sizes[l - 1])
            bias = weights[model.block(f"b{l}").start : model.block(f"b{l}").stop] if model.bias else None
            units = np.nonzero(keep[l - 1])[0] if l < len(sizes) - 1 else np.arange(1)
            J = len(units)
            if l == 1:
                idx = np.broadcast_to(W[units][None], (self.N, J, sizes[0]))
                coef = np.broadcast_to(2 * Xq[:, None, :], (self.N, J, sizes[0]))
                const = -Xq.sum(1)
                zmax = np.abs(Xq).sum(1)
                if bias is not None:
                    idx = np.concatenate([idx, np.broadcast_to(bias[units][None, :, None], (self.N, J, 1))], 2)
                    coef = np.concatenate([coef, np.full((self.N, J, 1), 2 * r)], 2)
                    const, zmax = const - r, zmax + r
                const = np.repeat(const, J)
                zmax = np.repeat(zmax, J)
                products = None
            else:
                K = prev.shape[1]
                src = np.nonzero(keep[l - 2])[0]
                nu = W[np.ix_(units, src)]                      # [J, K]
                u = b.new(self.N, J, K)
                a = np.broadcast_to(prev[:, None, :], (self.N, J, K))
                nub = np.broadcast_to(nu[None], (self.N, J, K))
                # Rosenberg: B(3u + aν − 2ua − 2uν), B = A
                b.add_linear(u, np.full(u.shape, 3 * self.A))
                b.add_quadratic(a, nub, self.A)
                b.add_quadratic(u, a, -2 * self.A)
                b.add_quadratic(u, nub, -2 * self.A)
                parts = [u, a, nub]
                cparts = [np.full((self.N, J, K), c) for c in (4, -2, -2)]
                const = np.full(self.N * J, K)
                zmax = np.full(self.N * J, K)
                if bias is not None:
                    parts.append(np.broadcast_to(bias[units][None, :, None], (self.N, J, 1)))
                    cparts.append(np.full((self.N, J, 1), 2))
                    const, zmax = const - 1, zmax + 1
                idx, coef = np.concatenate(parts, 2), np.concatenate(cparts, 2)
                products = (u, a, nub)
            idx = idx.reshape(self.N * J, -1)
            coef = coef.reshape(self.N * J, -1).astype(np.int64)
            z = (coef, const, zmax)
            coef, c0, tmin, tmax = _threshold(coef, const, zmax)
            if l < len(sizes) - 1:
                layer = self._hidden(b, idx, coef, c0, tmin, tmax, z)
                prev = layer.out.reshape(self.N, J)
            else:
                layer = self._output(b, idx, coef, c0, tmin, tmax, y, z)
            layer.products, layer.z = products, z
            self.layers.append(layer)
        self._builder = b
        self.bqm = b.bqm()

    # ------------------------------------------------------------------ constraints
    def _hidden(self, b, idx, coef, c0, tmin, tmax, z) -> _Units:
        beta = np.maximum(-tmin, tmax + 1)
        scoef, counts = slack_coefficients(beta - 1)
        slack = b.new_ragged(counts)
        act = b.new(len(beta))
        b.add_squared(np.concatenate([idx, act[:, None], slack], 1),
                      np.concatenate([coef, -beta[:, None], -scoef], 1), c0 + beta, self.A)
        if self._reward:
            # −w (2a − 1) z,  z = Σ c x + const (before the gcd division),  w = (μ/U) / max|z|
            u_coef, u0, zmax = z
            w = self._reward / np.maximum(zmax, 1).astype(float)
            b.add_quadratic(np.broadcast_to(act[:, None], idx.shape), idx, -2 * w[:, None] * u_coef)
            b.add_linear(act, -2 * w * u0)
            b.add_linear(idx, w[:, None] * u_coef)
            b.offset += float((w * u0).sum())
        return _Units(idx, coef, c0, tmin, tmax, act, beta, slack, scoef)

    def _output(self, b, idx, coef, c0, tmin, tmax, y, z) -> _Units:
        flip = y == 0
        coef = np.where(flip[:, None], -coef, coef)
        c0 = np.where(flip, -c0 - 1, c0)
        lo, hi = np.where(flip, -tmax - 1, tmin), np.where(flip, -tmin - 1, tmax)
        M = np.maximum(0, -lo)
        scoef, counts = slack_coefficients(np.maximum(hi, 0) + M)
        slack = b.new_ragged(counts)
        err = b.new(len(M))
        b.add_linear(err, np.ones(len(M)))
        b.add_squared(np.concatenate([idx, err[:, None], slack], 1),
                      np.concatenate([coef, M[:, None], -scoef], 1), c0, self.A)
        if self._reward:
            # −w (1 − e) z_o,  z_o = z (y = 1) or −z (y = 0),  w = (μ/U) / max|z|
            u_coef = np.where(flip[:, None], -z[0], z[0])
            u0 = np.where(flip, -z[1], z[1])
            w = self._reward / np.maximum(z[2], 1).astype(float)
            b.add_linear(idx, -w[:, None] * u_coef)
            b.offset -= float((w * u0).sum())
            b.add_quadratic(np.broadcast_to(err[:, None], idx.shape), idx, w[:, None] * u_coef)
            b.add_linear(err, w * u0)
        return _Units(idx, coef, c0, lo, hi, err, M, slack, scoef, flip=flip)

    # ------------------------------------------------------------------ models and states
    @property
    def num_variables(self) -> int:
        return self.bqm.num_variables

    @property
    def num_interactions(self) -> int:
        return self.bqm.num_interactions

    def with_field(self, field: np.ndarray | None):
        r"""The model plus weight fields :math:`-\sum_i h_i w_i = -\sum_i h_i(2b_i - 1)`, ``field`` [n]."""
        if field is None:
            return self.bqm
        h = np.asarray(field, dtype=float)
        if h.shape != (self.num_bits,):
            raise ValueError(f"a weight field needs one value per weight bit: shape ({self.num_bits},)")
        bqm = self.bqm.copy()
        bqm.add_linear_from_array(np.concatenate([-2 * h, np.zeros(bqm.num_variables - self.num_bits)]))
        bqm.offset += float(h.sum())
        return bqm

    def complete(self, bits) -> np.ndarray:
        """The feasible state [S, V] of weights ``bits`` [S, n]: every auxiliary bit set to
        the value its constraint requires. Its energy (without fields or margins) is the
        number of training errors of the weights on the (grid-rounded) data."""
        bits = np.atleast_2d(np.asarray(bits, dtype=np.int64))
        S = bits.shape[0]
        x = np.zeros((S, self.num_variables), dtype=np.int64)
        x[:, : self.num_bits] = bits
        for layer in self.layers:
            if layer.products is not None:
                u, a, nu = layer.products
                x[:, u] = x[:, a] * x[:, nu]
            t = (x[:, layer.idx] * layer.coef).sum(-1) + layer.const  # [S, M]
            if layer.flip is None:
                on = (t >= 0).astype(np.int64)
                s = t + layer.shift * (1 - on)
            else:
                on = (t < 0).astype(np.int64)
                s = t + layer.shift * on
            x[:, layer.out] = on
            _write_slack(x, layer.slack, layer.slack_coef, s)
        return x

    def errors(self, bits) -> np.ndarray:
        """Training errors [S] of weights ``bits`` [S, n] on this problem's (grid-rounded)
        data, through the network the problem encodes (dropped units included): the error
        bits of their feasible completion."""
        return self.complete(bits)[:, self.layers[-1].out].sum(1)

    def weights_of(self, sample: np.ndarray) -> np.ndarray:
        """The weight bits [S, n] of states ``sample`` [S, V]."""
        return np.asarray(sample)[:, : self.num_bits]

    def margins(self, bits) -> np.ndarray:
        r"""Mean normalised hidden-unit margin :math:`|z|/\max|z|` per network (the quantity the
        margin term rewards), from the feasible completion of ``bits`` [S, n]."""
        x = self.complete(bits)
        out = []
        for layer in self.layers[:-1]:
            coef, const, zmax = layer.z
            z = (x[:, layer.idx] * coef).sum(-1) + const
            out.append(np.abs(z) / np.maximum(zmax, 1))
        return np.concatenate(out, 1).mean(1) if out else np.zeros(len(x))


def _write_slack(x, labels, coef, value):
    """Set the slack bits ``labels`` [M, k] so that Σ coef·bits = value [S, M] (bounded expansion)."""
    if labels.shape[1] == 0:
        return
    counts = (labels >= 0).sum(1)
    k = np.maximum(counts, 1)
    last = coef[np.arange(len(counts)), k - 1]
    use_last = (value > (2 ** (k - 1) - 1)) & (counts > 0)
    rest = value - use_last * last
    for c in range(labels.shape[1]):
        col = labels[:, c]
        valid = col >= 0
        bit = np.where(c == k - 1, use_last, (rest >> c) & 1)
        x[:, col[valid]] = bit[:, valid]
