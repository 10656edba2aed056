"""The ``optimizer=`` setting of a trainer: shortcuts, torch optimizer classes and factories,
and how a closure optimizer (L-BFGS) is driven within an evaluation budget."""
from __future__ import annotations

import inspect

import torch

from .._checks import check_real, InputTypeError

__all__ = ["OPTIMIZERS", "DEFAULT_LR", "OptimizerPlan", "check_optimizer", "is_lbfgs", "plan", "lbfgs_run"]

OPTIMIZERS = ("auto", "adam", "lbfgs")
DEFAULT_LR = {"adam": 0.05, "lbfgs": 1.0}


class OptimizerPlan:
    """A run's optimizer: its recorded ``name``, whether it is an L-BFGS driven by closure, and
    ``build(budget)``, a fresh optimizer over θ (``budget``: the evaluations it may use)."""

    def __init__(self, name: str, lbfgs: bool, build):
        self.name, self.lbfgs, self.build = name, lbfgs, build


def check_optimizer(optimizer, lr) -> None:
    """Refuse an ``optimizer`` setting that is no shortcut, optimizer class or factory, and an
    ``lr`` that is not ``None`` or a finite number > 0."""
    check_real(lr, "lr", 0, low_open=True, allow_none=True, fix="None is the optimizer's default")
    if isinstance(optimizer, str):
        if optimizer not in OPTIMIZERS:
            raise ValueError(f"unknown optimizer {optimizer!r}; choose from {OPTIMIZERS}, or pass a torch optimizer "
                             f"class (torch.optim.SGD) or a factory (lambda params: torch.optim.SGD(params, lr=0.1))")
    elif isinstance(optimizer, type):
        if not issubclass(optimizer, torch.optim.Optimizer):
            raise InputTypeError(f"optimizer must be a torch.optim.Optimizer subclass, a factory params -> optimizer "
                            f"or one of {OPTIMIZERS}; got the class {optimizer.__name__}")
        if optimizer is torch.optim.Optimizer:
            raise InputTypeError("optimizer=torch.optim.Optimizer is the abstract base class, which cannot step; pass a "
                            "concrete one such as torch.optim.Adam or torch.optim.SGD")
    elif isinstance(optimizer, torch.optim.Optimizer):
        raise InputTypeError(f"optimizer got a built {type(optimizer).__name__}; the trainer builds a fresh optimizer over "
                        f"the hypernetwork's angles per restart: pass the class (torch.optim.{type(optimizer).__name__}) "
                        f"or a factory (lambda params: torch.optim.{type(optimizer).__name__}(params, ...))")
    elif callable(optimizer):
        try:
            inspect.signature(optimizer).bind([])
        except TypeError:
            raise InputTypeError(f"the optimizer factory {getattr(optimizer, '__name__', optimizer)!r} must take one "
                            f"argument, the list of parameters: e.g. optimizer=lambda params: "
                            f"torch.optim.SGD(params, lr=0.1)") from None
        except ValueError:  # a builtin without a signature: its first call decides
            pass
        if lr is not None:
            raise ValueError(f"lr={lr!r} was given with an optimizer factory, whose learning rate is its own: set it "
                             f"in the factory (lambda params: torch.optim.SGD(params, lr={lr!r})) and leave lr unset")
    else:
        raise InputTypeError(f"optimizer must be one of {OPTIMIZERS}, a torch.optim.Optimizer subclass or a factory "
                        f"params -> torch.optim.Optimizer; got {type(optimizer).__name__} {optimizer!r}")


def is_lbfgs(optimizer) -> bool:
    """Whether an ``optimizer`` setting is known, before building it, to be an L-BFGS."""
    return optimizer == "lbfgs" or (isinstance(optimizer, type) and issubclass(optimizer, torch.optim.LBFGS))


def plan(choice, lr: float | None, exact: bool, theta: torch.Tensor, steps: int) -> OptimizerPlan:
    """How to build this run's optimizer over ``[theta]``, checked by building one."""
    if choice == "auto":
        choice = "lbfgs" if exact else "adam"
    if choice == "lbfgs":
        lr = DEFAULT_LR["lbfgs"] if lr is None else lr
        return OptimizerPlan("lbfgs", True, lambda budget: torch.optim.LBFGS(
            [theta], lr=lr, max_iter=budget, max_eval=budget, tolerance_grad=1e-7,
            tolerance_change=1e-12, line_search_fn="strong_wolfe"))
    if choice == "adam":
        lr = DEFAULT_LR["adam"] if lr is None else lr
        return OptimizerPlan("adam", False, lambda budget: torch.optim.Adam([theta], lr=lr))
    if isinstance(choice, type):
        kwargs = {} if lr is None else {"lr": lr}

        def build(budget):
            try:
                return choice([theta], **kwargs)
            except TypeError as err:
                raise InputTypeError(f"optimizer={choice.__name__} could not be built as {choice.__name__}([theta]"
                                f"{', lr=lr' if kwargs else ''}): {err}; pass a factory instead, e.g. "
                                f"optimizer=lambda params: {choice.__name__}(params, ...)") from err
    else:
        def build(budget):
            opt = choice([theta])
            if not isinstance(opt, torch.optim.Optimizer):
                raise InputTypeError(f"the optimizer factory must return a torch.optim.Optimizer; it returned "
                                f"{type(opt).__name__}: e.g. optimizer=lambda params: torch.optim.SGD(params, lr=0.1)")
            if not any(p is theta for group in opt.param_groups for p in group["params"]):
                raise ValueError("the optimizer factory's optimizer does not hold the parameters it was given: "
                                 "build it over its argument, e.g. lambda params: torch.optim.SGD(params, lr=0.1)")
            return opt

    probe = build(steps)  # a bad class or factory fails here, before any work
    lbfgs = isinstance(probe, torch.optim.LBFGS)
    if lbfgs and not exact:
        raise ValueError(f"optimizer builds {type(probe).__name__}, and L-BFGS needs exact gradients: "
                         f"use an exact hypernetwork (shots=None) or a step optimizer such as torch.optim.Adam")
    return OptimizerPlan(type(probe).__name__, lbfgs, build)


def lbfgs_run(opt, closure, budget: int, evaluations) -> None:
    """``opt.step(closure)`` until ``budget`` objective evaluations (``evaluations()`` counts
    them) are spent, or a call stops short of its ``max_iter`` (it converged)."""
    group = opt.param_groups[0]
    max_iter, max_eval = group["max_iter"], group["max_eval"]
    used = 0
    while used < budget:
        group["max_eval"] = min(max_eval, budget - used)
        before = evaluations()
        opt.step(closure)
        calls = evaluations() - before
        used += calls
        if calls < max_iter:
            break
