"""Input checks shared by the package: each names the problem and the fix, and runs before any work."""
from __future__ import annotations

import math
import numbers

import numpy as np
import torch

DTYPE = torch.float64


class InputTypeError(TypeError, ValueError):
    """A parameter of the wrong type (a string or float where an integer belongs, an object
    of the wrong class). A ``TypeError`` that is also a ``ValueError`` — as numpy's
    ``AxisError`` is both a ``ValueError`` and an ``IndexError`` — so code that catches
    ``ValueError`` for bad options, as earlier versions raised, still catches it."""


def real_array(X, name: str, fix: str = ""):
    """``X`` as a tensor or numpy array of real numbers (lists become arrays). A complex array
    (whose imaginary part a cast to float64 would drop with only a warning), one of strings
    or objects, and ``None`` are refused, naming ``name``."""
    if X is None or isinstance(X, (str, bytes)):
        raise InputTypeError(f"{name} must be an array of numbers; got {type(X).__name__} {X!r:.40}")
    if not isinstance(X, torch.Tensor):
        try:
            X = np.asarray(X)
        except ValueError as err:  # ragged nested lists
            raise ValueError(f"{name} must be a rectangular array of numbers: {err}") from None
    complex_ = torch.is_complex(X) if isinstance(X, torch.Tensor) else X.dtype.kind == "c"
    if complex_:
        raise InputTypeError(f"{name} is complex; real numbers are needed: "
                             + (fix or f"pass {name}.real, abs({name}), or both parts as separate features"))
    if not isinstance(X, torch.Tensor) and X.dtype.kind not in "biuf":
        raise InputTypeError(f"{name} must be an array of numbers; got dtype {X.dtype}")
    return X


def as_bits(bits, n: int) -> torch.Tensor:
    """Bitstrings as a float64 tensor [S, n] with entries exactly 0 or 1 (a single [n] row is promoted)."""
    b = torch.as_tensor(real_array(bits, "bits"))
    if b.ndim == 1:
        b = b.unsqueeze(0)
    if b.ndim != 2 or b.shape[1] != n:
        raise ValueError(
            f"bits must have shape [S, {n}] (one row per network, one column per bit of the model); "
            f"got shape {tuple(b.shape)}"
        )
    b = b.to(DTYPE)
    if not torch.all((b == 0) | (b == 1)):
        bad = b[(b != 0) & (b != 1)][:3].tolist()
        raise ValueError(
            f"bits must be 0 or 1 (bit 1 is weight +1, bit 0 is weight −1); found values such as {bad}. "
            "If you have ±1 weights, pass (w + 1) / 2."
        )
    return b


def as_features(X, width: int, name: str = "X") -> torch.Tensor:
    """Inputs as a finite float64 tensor [N, width]."""
    X = torch.as_tensor(real_array(X, name)).to(DTYPE)
    if X.ndim == 1 and width == 1:
        X = X.unsqueeze(1)
    if X.ndim != 2:
        raise ValueError(f"{name} must be a 2-D array [N, {width}]; got shape {tuple(X.shape)}")
    if X.shape[1] != width:
        raise ValueError(
            f"{name} has {X.shape[1]} features but the model expects {width}; "
            "build the model with layer_sizes[0] equal to the data's width"
        )
    if not torch.isfinite(X).all():
        raise ValueError(f"{name} contains NaN or inf; clean or impute the data first")
    return X


def as_labels(y, n_classes: int, n: int) -> torch.Tensor:
    """Integer class labels as a long tensor [n] with values in [0, n_classes)."""
    arr = np.asarray(y.detach().cpu() if isinstance(y, torch.Tensor) else y)
    if arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr[:, 0]
    if arr.ndim != 1 or arr.shape[0] != n:
        raise ValueError(f"y must be a 1-D array of {n} labels (one per row of X); got shape {arr.shape}")
    if arr.dtype.kind == "f":
        if not np.isfinite(arr).all():
            raise ValueError("y contains NaN or inf; labels must be integers 0 … n_classes−1")
        if not np.all(arr == np.round(arr)):
            raise ValueError("y must hold integer class labels, not fractions")
    elif arr.dtype.kind not in "iub":
        raise ValueError(f"y must hold integer class labels; got dtype {arr.dtype}")
    arr = arr.astype(np.int64)
    if arr.size and (arr.min() < 0 or arr.max() >= n_classes):
        raise ValueError(
            f"labels must lie in 0 … {n_classes - 1} for a model with {n_classes} classes; "
            f"found {sorted(set(arr[(arr < 0) | (arr >= n_classes)].tolist()))[:5]}. "
            "Use layer_sizes[-1] = 1 for binary labels 0/1, or = number of classes."
        )
    return torch.from_numpy(arr)


def as_targets(y, width: int, n: int) -> torch.Tensor:
    """Real-valued regression targets as a finite float64 tensor [n, width] (one row per input)."""
    Y = torch.as_tensor(np.asarray(y) if not isinstance(y, torch.Tensor) else y).to(DTYPE)
    if Y.ndim == 1 and width == 1:
        Y = Y.unsqueeze(1)
    if Y.ndim != 2 or tuple(Y.shape) != (n, width):
        raise ValueError(f"regression targets must have shape [{n}, {width}] (one row of {width} outputs "
                         f"per input); got {tuple(Y.shape)}")
    if not torch.isfinite(Y).all():
        raise ValueError("regression targets contain NaN or inf; clean the data first")
    return Y


def check_table_fits(n: int, bytes_per_entry: int = 8, what: str = "loss_table()") -> None:
    """Refuse a 2^n table that would not fit in memory, before allocating it."""
    need = (2**n) * bytes_per_entry * 3  # the table plus working copies
    avail = available_memory()
    if n > 40 or need > 0.5 * avail:
        raise MemoryError(
            f"{what} needs 2^{n} entries (about {gib(need)} GiB with working copies) but this "
            f"machine has about {avail / 2**30:.3g} GiB available. Exact enumeration stops near "
            "n = 30; for larger models score sampled networks with Evaluator.log_likelihood(bits) "
            "and train from shots."
        )


def gib(nbytes: int) -> str:
    """A byte count in GiB for messages; exact integers too large for a float become powers of 2."""
    return f"{nbytes / 2**30:.3g}" if nbytes < 2**1000 else f"2^{nbytes.bit_length() - 31}"


def available_memory() -> int:
    """Available physical memory in bytes (MemAvailable on Linux, else total pages)."""
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    import os

    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")


# ---------------------------------------------------------------------- counts and seeds
def check_count(value, name: str, minimum: int = 1, allow_none: bool = False, fix: str = "",
                maximum: int | None = None) -> int | None:
    """An integer option ``name`` that must be ≥ ``minimum`` (and ≤ ``maximum`` if given;
    ``None`` passes if ``allow_none``).

    Refuses booleans, floats (``2.7`` is not silently ``2``), strings and numbers out of
    range, naming the option, the value and what to pass instead."""
    if value is None and allow_none:
        return None
    ok = isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))
    if not ok or value < minimum or (maximum is not None and value > maximum):
        alt = " or None" if allow_none else ""
        where = f"≥ {minimum}" if maximum is None else f"in {minimum} … {maximum}"
        error = ValueError if ok else InputTypeError
        if not fix and not ok and isinstance(value, (float, np.floating)) and float(value).is_integer():
            fix = f"pass {int(value)}, an int"
        raise error(f"{name} must be an integer {where}{alt}; got {value!r}"
                    + (f" — {fix}" if fix else ""))
    return int(value)


def check_real(value, name: str, low: float | None = None, high: float | None = None, *,
               low_open: bool = False, high_open: bool = False, allow_none: bool = False,
               fix: str = "") -> float | None:
    """A real-valued option ``name``: a finite number between ``low`` and ``high`` (either
    bound optional; ``low_open`` / ``high_open`` exclude the bound itself), or ``None`` if
    ``allow_none``. Refuses booleans, strings, NaN and ±inf, naming the option, the value
    and the fix; returns a ``float``."""
    if value is None and allow_none:
        return None
    number = isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))
    ok = number and math.isfinite(value)
    if ok and low is not None:
        ok = value > low if low_open else value >= low
    if ok and high is not None:
        ok = value < high if high_open else value <= high
    if not ok:
        if low is not None and high is not None:
            where = f" in {'(' if low_open else '['}{low:g}, {high:g}{')' if high_open else ']'}"
        elif low is not None:
            where = f" {'>' if low_open else '≥'} {low:g}"
        elif high is not None:
            where = f" {'<' if high_open else '≤'} {high:g}"
        else:
            where = ""
        if not fix and isinstance(value, str):
            fix = "pass a number, not a string" + (f" (e.g. {name}={value.strip()})" if _parses(value) else "")
        alt = " or None" if allow_none else ""
        error = ValueError if number else InputTypeError
        raise error(f"{name} must be a finite number{where}{alt}; got {value!r}" + (f" — {fix}" if fix else ""))
    return float(value)


def _parses(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


_SEED_BOUND = 2**63 - 1  # seeds drawn from a generator lie in [0, 2^63 − 1)


def check_seed(seed, name: str = "seed", allow_torch: bool = False):
    """A ``seed=`` value: an integer ≥ 0, a ``numpy.random.Generator``, or ``None`` (fresh
    entropy); ``allow_torch`` also lets a ``torch.Generator`` through. Returned unchanged
    (integers as ``int``), so a trainer can store it and draw from it per ``fit``."""
    if seed is None or isinstance(seed, np.random.Generator):
        return seed
    if allow_torch and isinstance(seed, torch.Generator):
        return seed
    integer = isinstance(seed, (int, np.integer)) and not isinstance(seed, (bool, np.bool_))
    if integer and seed >= 0:
        return int(seed)
    kinds = "an integer ≥ 0, a numpy.random.Generator" + (", a torch.Generator" if allow_torch else "") + " or None"
    raise (ValueError if integer else InputTypeError)(f"{name} must be {kinds}; got {type(seed).__name__} {seed!r}")


def numpy_generator(seed, name: str = "seed") -> np.random.Generator:
    """The ``numpy.random.Generator`` of a seed (checked here: int ≥ 0, numpy or torch
    Generator, None). A numpy Generator is used as it is: drawing from it advances the
    caller's stream; ``None`` draws fresh entropy."""
    seed = check_seed(seed, name, allow_torch=True)
    if isinstance(seed, torch.Generator):
        return np.random.default_rng(int(torch.randint(0, 2**62, (1,), generator=seed)))
    return np.random.default_rng(seed)


def seed_int(seed, bound: int = _SEED_BOUND, name: str = "seed") -> int:
    """An integer seed from a seed (checked here): an int as it is, a Generator's next draw
    in ``[0, bound)``, fresh entropy for ``None`` (``bound``: e.g. ``2**32`` for a library
    that takes only 32-bit seeds)."""
    seed = check_seed(seed, name, allow_torch=True)
    if isinstance(seed, int):
        return seed
    return int(numpy_generator(seed).integers(bound))


def torch_generator(seed, name: str = "seed") -> torch.Generator:
    """A local ``torch.Generator`` of a seed (checked here; the global RNG is never
    touched): an int seeds it directly, a numpy Generator gives it its next draw, ``None``
    fresh entropy, and a ``torch.Generator`` is used as it is."""
    if isinstance(seed, torch.Generator):
        return seed
    return torch.Generator().manual_seed(seed_int(seed, name=name))


# ---------------------------------------------------------------------- flags, choices, objects
def check_bool(value, name: str) -> bool:
    """A flag ``name``: ``True`` or ``False`` only (``"no"`` and ``1`` are refused, not truthy)."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    raise InputTypeError(f"{name} must be True or False; got {type(value).__name__} {value!r}")


def check_choice(value, name: str, choices) -> str:
    """A named option ``name`` that must be one of ``choices`` (listed in the message)."""
    choices = list(choices)
    if not isinstance(value, str):
        raise InputTypeError(f"{name} must be one of {choices}; got {type(value).__name__} {value!r}")
    if value not in choices:
        raise ValueError(f"{name} must be one of {choices}; got {value!r}")
    return value


def check_instance(value, name: str, types, fix: str = ""):
    """An object parameter ``name`` of one of ``types`` (a class or tuple of classes); the
    message names what was given and, with ``fix``, how to build the right one."""
    if isinstance(value, types):
        return value
    wanted = " or ".join(t.__name__ for t in (types if isinstance(types, tuple) else (types,)))
    raise InputTypeError(f"{name} must be a {wanted}; got {type(value).__name__} {value!r:.80}"
                         + (f" — {fix}" if fix else ""))
