"""Bad arguments to the ``qhyper`` command: exit status 2, the option named on stderr, and
nothing written or run. On the old code each ``NEW`` case below was accepted
silently (``oracle --top 0``, a repeated ``--set``, ``--out ''``), ran and failed late (a seed
≥ 2^32, an empty ``--grid`` value), printed a raw message (``--plugin ''``: "Empty module
name"), raised a traceback (``--seeds 0-99999999999``: MemoryError; ``--num-cpus inf``:
OverflowError after starting Ray), or printed 2^17 − 1 networks (``oracle --top -1``)."""
import time

import pytest
import torch

import qhyper as qh
from qhyper.cli import main
from qhyper.comparison import registry
from qhyper.trainers import TrainResult

CALLS = []


def _probe(task, seed, options):
    CALLS.append(seed)
    return TrainResult(method="cli_probe", bits=torch.zeros(17), metrics={"train_accuracy": 0.5}, wall_time=0.01)


@pytest.fixture(scope="module", autouse=True)
def stand_in():
    """A counting method (removed afterwards); the default task's data set loaded once."""
    methods = dict(registry._METHODS)
    registry.register_method("cli_probe", _probe, "counting stand-in")
    qh.comparison.get_task("digits01_4x4").data()
    yield
    registry._METHODS.clear(), registry._METHODS.update(methods)


def _run(argv, capsys):
    """``main(argv)`` → (exit status, stderr, stdout); argparse's own errors exit through SystemExit."""
    CALLS.clear()
    try:
        code = main(argv)
    except SystemExit as stop:
        code = stop.code
    captured = capsys.readouterr()
    return code, captured.err, captured.out


def _refused(argv, capsys, name, out=None):
    start = time.perf_counter()
    code, err, _ = _run(argv, capsys)
    assert time.perf_counter() - start < 1.0  # before any work
    assert code == 2, err
    assert name in err
    assert CALLS == []  # no run started
    if out is not None:
        assert not any(out.iterdir())  # nothing written


def _compare(out, *args):
    return ["compare", "--methods", "cli_probe", "--seeds", "1", "--no-progress", "--out", str(out), *args]


COMPARE = [
    pytest.param(["--seeds", "0-99999999999"], "--seeds", id="NEW --seeds 0-99999999999 (MemoryError)"),
    pytest.param(["--seeds", "99999999999"], "--seeds", id="NEW --seeds 99999999999 (MemoryError)"),
    pytest.param(["--seeds", "5000000000,1"], "seeds", id="NEW --seeds 5000000000,1 (ran; fails in sklearn/torch)"),
    pytest.param(["--set", "cli_probe.a=1", "--set", "cli_probe.a=2"], "--set cli_probe.a is given twice",
                 id="NEW --set given twice (last one silently won)"),
    pytest.param(["--grid", "cli_probe.a=1", "--grid", "cli_probe.a=2"], "--grid cli_probe.a is given twice",
                 id="NEW --grid given twice (last one silently won)"),
    pytest.param(["--grid", "cli_probe.a=1,,2"], "--grid", id="NEW --grid with an empty value (a row a='')"),
    pytest.param(["--set", "cli_probe.a="], "--set", id="NEW --set with no value (the option became '')"),
    pytest.param(["--plugin", ""], "--plugin", id="NEW --plugin '' ('Empty module name')"),
    pytest.param(["--executor", "ray", "--num-cpus", "inf"], "--num-cpus",
                 id="NEW --num-cpus inf (OverflowError traceback after starting Ray)"),
    pytest.param(["--executor", "ray", "--num-cpus", "0"], "--num-cpus", id="NEW --num-cpus 0 (named num_cpus)"),
    pytest.param(["--max-time", "0"], "--max-time", id="NEW --max-time 0 (named max_time)"),
    pytest.param(["--max-time", "nan"], "--max-time", id="NEW --max-time nan (named max_time)"),
    pytest.param(["--seeds", "0"], "--seeds", id="--seeds 0"),
    pytest.param(["--seeds", "3-1"], "--seeds", id="--seeds 3-1"),
    pytest.param(["--seeds", "0,0"], "seeds", id="--seeds 0,0"),
    pytest.param(["--methods", "cli_probe,cli_probe"], "twice", id="--methods named twice"),
    pytest.param(["--task", "nope"], "unknown task", id="--task nope"),
    pytest.param(["--executor", "local", "--num-cpus", "2"], "--num-cpus", id="--num-cpus without ray"),
    pytest.param(["--resume", "--force"], "--resume", id="--resume with --force"),
    pytest.param(["--set", "ste.epochs=3"], "not being compared", id="--set for a method not compared"),
]


@pytest.mark.parametrize("args, name", COMPARE)
def test_compare_refuses_bad_arguments_before_any_run(args, name, capsys, tmp_path):
    _refused(_compare(tmp_path, *args), capsys, name, out=tmp_path)


@pytest.mark.parametrize("args, name", [
    pytest.param(["--top", "0"], "--top", id="NEW oracle --top 0 (listed none)"),
    pytest.param(["--top", "-1"], "--top", id="NEW oracle --top -1 (listed 2^17 - 1 networks, after the enumeration)"),
    pytest.param(["--task", "deconv1d"], "--task 'deconv1d' is an inverse problem",
                 id="NEW oracle --task deconv1d ('layer_sizes must list at least [inputs, outputs]')"),
    pytest.param(["--beta", "0"], "beta", id="oracle --beta 0"),
    pytest.param(["--task", "nope"], "unknown task", id="oracle --task nope"),
])
def test_oracle_refuses_bad_arguments_before_the_enumeration(args, name, capsys):
    _refused(["oracle", *args], capsys, name)


def test_compare_refuses_an_empty_out(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _refused(_compare(""), capsys, "--out", out=tmp_path)  # NEW: wrote into the current folder


def test_main_refuses_a_string_for_argv():
    start = time.perf_counter()
    with pytest.raises(TypeError, match="argv"):  # NEW: argparse read "compare" as the letters c, o, m, ...
        main("compare --quick")
    assert time.perf_counter() - start < 1.0


def test_the_good_spellings_still_work(capsys, tmp_path):
    code, err, _ = _run(_compare(tmp_path / "a", "--seeds", "2-3", "--set", "cli_probe.a=1", "--set", "cli_probe.b=x",
                                 "--grid", "cli_probe.c=1, 2", "--max-time", "5"), capsys)
    assert code == 0, err
    assert CALLS == [2, 3, 2, 3]
    code, err, _ = _run(_compare(tmp_path / "b", "--seeds", "0,4"), capsys)
    assert code == 0 and CALLS == [0, 4], err
    code, err, out = _run(["oracle", "--task", "bars_stripes_sign", "--top", "2"], capsys)
    assert code == 0 and out.count("p = ") == 2, err
