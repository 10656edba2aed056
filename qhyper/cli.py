"""The ``qhyper`` command.

* ``qhyper compare`` — run methods on a task over seeds; print the table, write JSON and a
  PNG figure. Without arguments: every method on ``digits01_4x4`` with the default budgets.
* ``qhyper tasks`` / ``qhyper methods`` — list what can be compared.
* ``qhyper oracle --task NAME`` — the exact posterior of a task by enumeration.
"""
from __future__ import annotations

import argparse
import ast
import os
import sys
import tempfile
import time
from pathlib import Path

DEFAULT_TASK = "digits01_4x4"


def _parse_set(items: list[str]) -> dict[str, dict]:
    """``["ste.epochs=50", "qubo.num_reads=4"]`` → ``{"ste": {"epochs": 50}, "qubo": {"num_reads": 4}}``."""
    out: dict[str, dict] = {}
    for item in items:
        key, sep, value = item.partition("=")
        method, dot, option = key.partition(".")
        if not sep or not dot or not method or not option:
            raise SystemExit(f"qhyper: --set takes METHOD.OPTION=VALUE (e.g. ste.epochs=50); got {item!r}")
        try:
            parsed = ast.literal_eval(value)
        except (ValueError, SyntaxError):
            parsed = value
        out.setdefault(method, {})[option] = parsed
    return out


def _compare(args) -> int:
    from . import comparison as cmp
    from .comparison.store import RunStore

    out = Path(args.out)
    try:  # the output folder must take files before any run starts
        out.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=out, prefix=".qhyper-write-test-"):
            pass
    except OSError as err:
        print(f"qhyper compare: --out {args.out!r} cannot be written ({err.strerror or err}); "
              f"choose a folder you can write to", file=sys.stderr)
        return 2
    stem = out / f"compare_{args.task}"
    store = RunStore(out, name=f"{stem.name}.runs.jsonl")
    earlier = [p.name for p in (stem.with_suffix(".json"), stem.with_suffix(".png"), store.path) if p.exists()]
    if args.resume and args.force:
        print("qhyper compare: --resume continues the experiment in --out and --force replaces it: choose one",
              file=sys.stderr)
        return 2
    if earlier and not (args.resume or args.force):
        print(f"qhyper compare: {out} already holds an experiment on {args.task} ({', '.join(earlier)}); pass "
              f"--resume to continue it (finished runs are not redone), --force to replace it, or another --out",
              file=sys.stderr)
        return 2
    # the figure is always drawn: load matplotlib before the runs, so that the summary after
    # a Ctrl-C is written within the 2 s a user waits (importing it takes ~0.7 s)
    import matplotlib.backends.backend_agg  # noqa: F401
    import matplotlib.figure  # noqa: F401

    start = time.perf_counter()
    try:
        table = cmp.compare(args.methods, task=args.task, seeds=args.seeds, options=_parse_set(args.set),
                            quick=args.quick, progress=not args.no_progress, strict=args.strict,
                            store=store, resume=args.resume, replace=args.force)
    except ValueError as err:
        print(f"qhyper compare: {err}", file=sys.stderr)
        return 2
    wall = time.perf_counter() - start
    print(table.format())
    table.save_json(stem.with_suffix(".json"))
    table.plot(stem.with_suffix(".png"))
    print(f"\nwrote {stem.with_suffix('.json')} and {stem.with_suffix('.png')} (total {wall:.1f} s)")
    if table.interrupted:
        print("qhyper compare: interrupted (Ctrl-C); the finished runs are in the table and the JSON", file=sys.stderr)
        return INTERRUPTED
    return 0


def _tasks(args) -> int:
    from . import comparison as cmp

    for name, task in cmp.tasks().items():
        size = f"{task.num_bits:5d} bits" if task.num_bits is not None else "  inverse "
        print(f"{name:20s} {size}  {task.description}")
    return 0


def _methods(args) -> int:
    from . import comparison as cmp

    for name, description in cmp.methods().items():
        print(f"{name:8s} {description}")
    return 0


def _oracle(args) -> int:
    from . import comparison as cmp
    from .trainers.exhaustive import Exhaustive

    try:
        task = cmp.get_task(args.task)
        res = Exhaustive(beta=args.beta).fit(task.evaluator())
    except ValueError as err:
        print(f"qhyper oracle: {err}", file=sys.stderr)
        return 2
    post, m = res.state["posterior"], res.metrics
    print(f"task {task.name}: {task.description}")
    print(f"{post.num_bits} bits, 2^{post.num_bits} = {2**post.num_bits} networks scored in {res.wall_time:.2f} s")
    print(f"log evidence {m['log_evidence']:.4f}   posterior entropy {m['posterior_entropy']:.4f} nats "
          f"(max {post.num_bits * 0.6931:.4f})   p(MAP) {m['p_best']:.4f}")
    print(f"MAP network   train acc {m['train_accuracy']:.4f}  test acc {m.get('test_accuracy', float('nan')):.4f}"
          f"  train NLL {m['train_nll']:.4f}  test NLL {m.get('test_nll', float('nan')):.4f}")
    print(f"posterior-predictive   train acc {m['posterior_train_accuracy']:.4f}  "
          f"test acc {m.get('posterior_test_accuracy', float('nan')):.4f}")
    import torch

    from .bitstrings import index_to_bits

    top = torch.argsort(post.probs, descending=True)[: args.top]
    print(f"the {len(top)} most probable networks (bit 0 first):")
    for i in top:
        bits = "".join(str(int(v)) for v in index_to_bits(int(i), post.num_bits))
        print(f"  {bits}  p = {float(post.probs[i]):.4f}  train NLL {-float(post.log_likelihood[i]) / post.evaluator.num_data:.4f}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``qhyper`` command and its subcommands."""
    from .comparison import MAIN_METHODS

    parser = argparse.ArgumentParser(prog="qhyper", description="Binary neural networks trained with "
                                     "quantum hypernetworks, compared with classical baselines.")
    sub = parser.add_subparsers(dest="command")
    c = sub.add_parser("compare", help="compare methods on a task (default: all methods on digits01_4x4)")
    c.add_argument("--task", default=DEFAULT_TASK, help=f"task name (default {DEFAULT_TASK}; see `qhyper tasks`)")
    c.add_argument("--methods", default=None,
                   help=f"comma-separated (default: the task's own list; {','.join(MAIN_METHODS)} for digits01_4x4)")
    c.add_argument("--seeds", type=int, default=3, help="number of seeds (default 3)")
    c.add_argument("--out", default="results", help="directory for the run store (compare_TASK.runs.jsonl), the JSON "
                   "and the PNG (default results/); an earlier experiment there is kept unless --resume or --force")
    c.add_argument("--set", action="append", default=[], metavar="METHOD.OPTION=VALUE",
                   help="override a method option, e.g. --set ste.epochs=50 (repeatable)")
    c.add_argument("--quick", action="store_true", help="tiny budgets (smoke test)")
    c.add_argument("--strict", action="store_true", help="stop on a method's error instead of reporting it")
    c.add_argument("--no-progress", action="store_true", help="no progress bar")
    c.add_argument("--resume", action="store_true",
                   help="continue the experiment in --out: finished runs are read back from its run store, not redone")
    c.add_argument("--force", action="store_true", help="replace the experiment already in --out")
    c.set_defaults(func=_compare)
    t = sub.add_parser("tasks", help="list the tasks")
    t.set_defaults(func=_tasks)
    m = sub.add_parser("methods", help="list the methods")
    m.set_defaults(func=_methods)
    o = sub.add_parser("oracle", help="exact posterior of a task by enumeration")
    o.add_argument("--task", default=DEFAULT_TASK)
    o.add_argument("--beta", type=float, default=1.0, help="posterior tempering (default 1)")
    o.add_argument("--top", type=int, default=5, help="show the most probable networks (default 5)")
    o.set_defaults(func=_oracle)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the ``qhyper`` command on ``argv`` (default ``sys.argv[1:]``); returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    return args.func(args)


INTERRUPTED = 130  # the shell's code for a command stopped by SIGINT


def run() -> None:
    """The console entry point: :func:`main`, then exit with its status. After an interrupt
    every file is already written and fsynced, so the process ends at once (``os._exit``)
    instead of spending over a second tearing down torch, numba and LLVM."""
    code = main()
    if code == INTERRUPTED:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    sys.exit(code)


if __name__ == "__main__":
    run()
