"""Independent per-network reference computations for the BNN and evaluator tests."""
import numpy as np


def reference_logits(model, bits_row, X):
    """A plain per-network forward pass, written independently of BinaryMLP.forward."""
    w = 2 * np.asarray(bits_row, dtype=float) - 1
    sizes, pos, h = model.layer_sizes, 0, np.asarray(X, dtype=float)
    n_layers = len(sizes) - 1
    acts = {"sign": lambda v: np.where(v >= 0, 1.0, -1.0), "relu": lambda v: np.maximum(v, 0),
            "sigmoid": lambda v: 1 / (1 + np.exp(-v)), "tanh": np.tanh, "identity": lambda v: v}
    choice = 0
    for b in bits_row[model.num_weight_bits:]:
        choice = 2 * choice + int(b)
    act = acts[model.activations[choice]]
    for l in range(n_layers):
        fi, fo = sizes[l], sizes[l + 1]
        W = w[pos:pos + fi * fo].reshape(fo, fi)
        pos += fi * fo
        h = h @ W.T
        if model.bias:
            h = h + w[pos:pos + fo]
            pos += fo
        if l < n_layers - 1:
            h = act(h)
    return h


def reference_log_likelihood(model, bits_row, X, y, scale=1.0):
    z = scale * reference_logits(model, bits_row, X)
    y = np.asarray(y)
    if z.shape[1] == 1:
        t = 2 * y - 1
        return float(-np.logaddexp(0, -t * z[:, 0]).sum())
    lse = np.log(np.exp(z - z.max(1, keepdims=True)).sum(1)) + z.max(1)
    return float((z[np.arange(len(y)), y] - lse).sum())


def all_rows(n):
    import itertools
    return np.array(list(itertools.product((0, 1), repeat=n)), dtype=float)
