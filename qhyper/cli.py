"""The ``qhyper`` command.

* ``qhyper compare`` — run methods on a task over seeds (and a grid of options); print the
  table, write JSON and a PNG figure. Without arguments: every method on ``digits01_4x4``
  with the default budgets. ``--executor ray`` runs the runs as Ray tasks.
* ``qhyper tasks`` / ``qhyper methods`` — list what can be compared.
* ``qhyper oracle --task NAME`` — the exact posterior of a task by enumeration.
"""
from __future__ import annotations

import argparse
import contextlib
import math
import os
import signal
import sys
import tempfile
import time
from pathlib import Path

from .cli_types import _load_plugins, _seeds, _threads, _version

DEFAULT_TASK = "digits01_4x4"
#: exit statuses of ``qhyper compare``
OK, RUN_FAILED, BAD_ARGUMENTS, INTERRUPTED = 0, 1, 2, 130
EXIT_CODES = f"""exit status: {OK} every run finished (ok, or unavailable on this task); {RUN_FAILED} a run failed (its row
says why); {BAD_ARGUMENTS} bad arguments (nothing was run); {INTERRUPTED} interrupted by Ctrl-C (finished runs are kept;
--resume continues). A second Ctrl-C exits at once; the run store stays readable."""


@contextlib.contextmanager
def _second_interrupt_exits():
    """While the block runs, the first Ctrl-C is the usual KeyboardInterrupt (trainers and
    ``compare`` turn it into an orderly stop) and a second one exits at once: every record
    is already fsynced, and the store defers signals while it appends one."""
    if sys.platform == "win32" or signal.getsignal(signal.SIGINT) is not signal.default_int_handler:
        yield  # not the main thread's default handler: leave it to its owner
        return

    def second(signum, frame):
        os.write(2, b"\nqhyper: second Ctrl-C: exiting now (the run store is intact; --resume continues)\n")
        os._exit(INTERRUPTED)

    def first(signum, frame):
        signal.signal(signal.SIGINT, second)
        raise KeyboardInterrupt

    signal.signal(signal.SIGINT, first)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, signal.default_int_handler)


def _executor(args):
    from .comparison.executors import LocalExecutor, RayExecutor

    if args.executor == "local":
        if args.address is not None or args.num_cpus is not None:
            raise ValueError("--address and --num-cpus are for --executor ray")
        return LocalExecutor(threads=args.threads)
    if args.threads is not None:
        raise ValueError("--threads is for --executor local; a Ray run uses as many torch threads as its --num-cpus")
    if args.num_cpus is not None and not (math.isfinite(args.num_cpus) and args.num_cpus > 0):
        raise ValueError(f"--num-cpus: num_cpus must be a number > 0 and finite (CPUs per run, e.g. 1); "
                         f"got {args.num_cpus}")
    executor = RayExecutor(address=args.address, num_cpus=1 if args.num_cpus is None else args.num_cpus)
    try:  # the workers cannot import a plugin file: its methods travel by value
        from ray import cloudpickle
    except ImportError as err:
        raise ImportError("--executor ray needs Ray: pip install 'qhyper[ray]'") from err
    for module in getattr(args, "plugin_modules", []):
        cloudpickle.register_pickle_by_value(module)
    return executor


def _compare(args) -> int:
    from . import comparison as cmp
    from .comparison.arguments import parse_grid, parse_set
    from .comparison.store import RunStore

    try:  # the arguments first: nothing is written or run for a bad one
        cmp.get_task(args.task)
        options, grid = parse_set(args.set), parse_grid(args.grid)
        if args.max_time is not None and not (math.isfinite(args.max_time) and args.max_time > 0):
            raise ValueError(f"--max-time: max_time must be a finite number > 0 (seconds per run); got {args.max_time}")
        executor = _executor(args)
        if not args.out.strip():
            raise ValueError("--out '' names no folder; give the folder of the experiment (default results/)")
    except (ValueError, TypeError, ImportError) as err:
        print(f"qhyper compare: {err}", file=sys.stderr)
        return BAD_ARGUMENTS
    out = Path(args.out)
    try:  # the output folder must take files before any run starts
        out.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=out, prefix=".qhyper-write-test-"):
            pass
    except OSError as err:
        print(f"qhyper compare: --out {args.out!r} cannot be written ({err.strerror or err}); "
              f"choose a folder you can write to", file=sys.stderr)
        return BAD_ARGUMENTS
    stem = out / f"compare_{args.task}"
    store = RunStore(out, name=f"{stem.name}.runs.jsonl")
    earlier = [p.name for p in (stem.with_suffix(".json"), stem.with_suffix(".png"), store.path) if p.exists()]
    if args.resume and args.force:
        print("qhyper compare: --resume continues the experiment in --out and --force replaces it: choose one",
              file=sys.stderr)
        return BAD_ARGUMENTS
    if earlier and not (args.resume or args.force):
        print(f"qhyper compare: {out} already holds an experiment on {args.task} ({', '.join(earlier)}); pass "
              f"--resume to continue it (finished runs are not redone), --force to replace it, or another --out",
              file=sys.stderr)
        return BAD_ARGUMENTS
    # the figure is always drawn: load matplotlib before the runs, so that the summary after
    # a Ctrl-C is written within the 2 s a user waits (importing it takes ~0.7 s)
    import matplotlib.backends.backend_agg  # noqa: F401
    import matplotlib.figure  # noqa: F401

    start = time.perf_counter()
    with _second_interrupt_exits():
        try:
            table = cmp.compare(args.methods, task=args.task, seeds=args.seeds, options=options,
                                quick=args.quick, progress=not args.no_progress, strict=args.strict,
                                store=store, resume=args.resume, replace=args.force, grid=grid,
                                executor=executor, max_time=args.max_time)
        except (ValueError, TypeError, ImportError) as err:
            print(f"qhyper compare: {err}", file=sys.stderr)
            return BAD_ARGUMENTS
        wall = time.perf_counter() - start
        print(table.format())
        try:
            table.save_json(stem.with_suffix(".json"))
            table.plot(stem.with_suffix(".png"))
        except KeyboardInterrupt:
            print(f"qhyper compare: interrupted while writing the summary; every run is in {store.path} "
                  f"(--resume writes the summary again without re-running anything)", file=sys.stderr)
            return INTERRUPTED
    print(f"\nwrote {stem.with_suffix('.json')} and {stem.with_suffix('.png')} (total {wall:.1f} s)")
    if table.interrupted:
        print("qhyper compare: interrupted (Ctrl-C); the finished runs are in the table and the JSON", file=sys.stderr)
        return INTERRUPTED
    if table.failed:
        print(f"qhyper compare: runs of {', '.join(r['method'] for r in table.failed)} failed (see the table); "
              f"exit status {RUN_FAILED}", file=sys.stderr)
        return RUN_FAILED
    return OK


def _tasks(args) -> int:
    from . import comparison as cmp

    for name, task in cmp.tasks().items():
        size = f"{task.num_bits:5d} bits" if task.num_bits is not None else "  inverse "
        print(f"{name:20s} {size}  {task.description}")
    return 0


def _methods(args) -> int:
    from . import comparison as cmp
    from .comparison.options import accepted_options

    if args.options is None:
        for name, description in cmp.methods().items():
            print(f"{name:8s} {description}")
        return 0
    try:
        entry, task = cmp.method(args.options), cmp.get_task(args.task)
    except (ValueError, TypeError) as err:
        print(f"qhyper methods: {err}", file=sys.stderr)
        return BAD_ARGUMENTS
    names = accepted_options(args.options, entry.runner)
    defaults = task.options.get(args.options, {})
    print(f"{args.options}: {cmp.methods()[args.options]}")
    if names is None:
        print("  (this method does not list its options)")
    else:
        print(f"  --set {args.options}.OPTION=VALUE accepts (the {task.name} task's settings shown; "
              "others take the trainer's default):")
        for name in names:
            print(f"    {name:<16} {defaults[name]!r}" if name in defaults else f"    {name}")
    return 0


def _oracle(args) -> int:
    from . import comparison as cmp
    from ._checks import check_count
    from .trainers.exhaustive import Exhaustive

    try:
        task = cmp.get_task(args.task)
        check_count(args.top, "--top", fix="how many of the most probable networks to list, e.g. 5")
        if task.kind != "classification":
            raise ValueError(f"--task {task.name!r} is an inverse problem; the oracle enumerates the networks of a "
                             f"classification task ({', '.join(n for n, t in cmp.tasks().items() if t.kind == 'classification')})")
        from ._threads import threads

        trainer = Exhaustive(beta=args.beta)
        with threads(args.threads):
            res = trainer.fit(task.evaluator())
    except (ValueError, TypeError) as err:
        print(f"qhyper oracle: {err}", file=sys.stderr)
        return 2
    post, m = res.state["posterior"], res.metrics
    print(f"task {task.name}: {task.description}")
    print(f"{post.num_bits} bits, 2^{post.num_bits} = {2**post.num_bits} networks scored in {res.wall_time:.2f} s")
    print(f"log evidence {m['log_evidence']:.4f}   posterior entropy {m['posterior_entropy']:.4f} nats "
          f"(max {post.num_bits * 0.6931:.4f})   p(MAP) {m['p_best']:.4f}   p(all optimal networks) {m['p_opt']:.4f}")
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
    parser.add_argument("--version", action="version", version=_version(),
                        help="print qhyper's version and those of torch, PennyLane, Qiskit and Aer, then exit")
    sub = parser.add_subparsers(dest="command")
    c = sub.add_parser("compare", help="compare methods on a task (default: all methods on digits01_4x4)",
                       epilog=EXIT_CODES)
    c.add_argument("--task", default=DEFAULT_TASK, help=f"task name (default {DEFAULT_TASK}; see `qhyper tasks`)")
    c.add_argument("--methods", default=None,
                   help=f"comma-separated (default: the task's own list; {','.join(MAIN_METHODS)} for digits01_4x4)")
    c.add_argument("--seeds", type=_seeds, default=3,
                   help="a count (3: seeds 0-2, the default), an inclusive range (0-9) or a list (0,4,7)")
    c.add_argument("--out", default="results", help="directory for the run store (compare_TASK.runs.jsonl), the JSON "
                   "and the PNG (default results/); an earlier experiment there is kept unless --resume or --force")
    c.add_argument("--set", action="append", default=[], metavar="METHOD.OPTION=VALUE",
                   help="override a method option, e.g. --set ste.epochs=50 (repeatable)")
    c.add_argument("--grid", action="append", default=[], metavar="METHOD.OPTION=V1,V2,...",
                   help="sweep an option: one table row per value, e.g. --grid mle.layers=2,4,6 (repeatable; "
                        "several options of one method give their product)")
    c.add_argument("--max-time", type=float, default=None, metavar="SECONDS",
                   help="time budget per run, for every method whose trainer takes one; a run that hits it "
                        "keeps its best-so-far result and is counted under the table")
    c.add_argument("--executor", choices=("local", "ray"), default="local",
                   help="run in this process (local, the default) or as Ray tasks (ray)")
    c.add_argument("--address", default=None,
                   help="with --executor ray: an existing Ray cluster ('auto', 'ray://HOST:10001'); "
                        "default a local Ray on this machine's cores")
    c.add_argument("--num-cpus", type=float, default=None, help="with --executor ray: CPUs per run (default 1)")
    c.add_argument("--threads", type=_threads, default=None, metavar="N",
                   help="torch threads per run (default: torch's own, one per core; 1 is often much faster "
                        "for small tensors on a machine whose cores are busy)")
    c.add_argument("--quick", action="store_true", help="tiny budgets (smoke test)")
    c.add_argument("--strict", action="store_true", help="stop on a method's error instead of reporting it")
    c.add_argument("--no-progress", action="store_true", help="no progress bar")
    c.add_argument("--resume", action="store_true",
                   help="continue the experiment in --out: finished runs are read back from its run store, not redone")
    c.add_argument("--force", action="store_true", help="replace the experiment already in --out")
    c.set_defaults(func=_compare)
    t = sub.add_parser("tasks", help="list the tasks")
    t.set_defaults(func=_tasks)
    m = sub.add_parser("methods", help="list the methods, or with --options METHOD what --set accepts")
    m.add_argument("--options", default=None, metavar="METHOD", help="list the options of METHOD for --set")
    m.add_argument("--task", default=DEFAULT_TASK, help=f"whose settings to show (default {DEFAULT_TASK})")
    m.set_defaults(func=_methods)
    o = sub.add_parser("oracle", help="exact posterior of a task by enumeration")
    o.add_argument("--task", default=DEFAULT_TASK)
    o.add_argument("--beta", type=float, default=1.0, help="posterior tempering (default 1)")
    o.add_argument("--top", type=int, default=5, help="show the most probable networks (default 5)")
    o.add_argument("--threads", type=_threads, default=None, metavar="N", help="torch threads (default: torch's own)")
    o.set_defaults(func=_oracle)
    for p in (c, t, m, o):
        p.add_argument("--plugin", action="append", default=[], metavar="MODULE",
                       help="import MODULE (a module name or a .py file) first: it may register tasks and "
                            "methods (qh.comparison.register_task / register_method); repeatable")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the ``qhyper`` command on ``argv`` (default ``sys.argv[1:]``); returns the exit status."""
    listed = argv is None or (hasattr(argv, "__iter__") and not isinstance(argv, (str, bytes)))
    argv = list(argv) if listed and argv is not None else argv
    if not listed or (argv is not None and not all(isinstance(a, str) for a in argv)):
        from ._checks import InputTypeError

        raise InputTypeError(f"main(argv) takes a list of argument strings, e.g. ['compare', '--quick']; got "
                             f"{argv!r:.80}" + (f" — pass {argv.split()!r}" if isinstance(argv, str) else ""))
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    try:
        args.plugin_modules = _load_plugins(args.plugin)
    except ValueError as err:
        print(f"qhyper: {err}", file=sys.stderr)
        return BAD_ARGUMENTS
    return args.func(args)



def run() -> None:
    """The console entry point: :func:`main`, then exit with its status. After an interrupt
    every file is already written and fsynced, and after refused arguments nothing was run or
    written, so the process ends at once (``os._exit``) instead of spending up to a second
    tearing down torch, numba and LLVM."""
    try:
        code = main()
    except BrokenPipeError:  # the reader went away (e.g. `qhyper methods | head`): stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(0)
    if code in (INTERRUPTED, BAD_ARGUMENTS):
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    sys.exit(code)


if __name__ == "__main__":
    run()
