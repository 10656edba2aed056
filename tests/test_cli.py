"""The `qhyper` command: compare (table, JSON, PNG), tasks, methods, oracle, errors."""
import json
import subprocess
import sys


from qhyper.cli import main


def test_compare_writes_table_json_and_png(tmp_path, capsys):
    rc = main(["compare", "--task", "bars_stripes_sign", "--methods", "ste,qubo,exact,mle,elbo,mmd",
               "--seeds", "1", "--quick", "--no-progress", "--out", str(tmp_path),
               "--set", "ste.epochs=3"])
    assert rc == 0
    out = capsys.readouterr().out
    for method in ("ste", "qubo", "exact", "mle", "elbo", "mmd"):
        assert f"\n{method} " in out
    data = json.loads((tmp_path / "compare_bars_stripes_sign.json").read_text())
    assert [r["method"] for r in data["rows"]] == ["ste", "qubo", "exact", "mle", "elbo", "mmd"]
    assert data["runs"][0]["options"]["epochs"] == 3
    for row in data["rows"]:  # the quantum stack is a test dependency: every row must be real
        assert row["status"] == "ok", (row["method"], row.get("reason"))
        assert "test_accuracy_mean" in row and row["quantum"] == (row["method"] in ("mle", "elbo", "mmd"))
    assert (tmp_path / "compare_bars_stripes_sign.png").stat().st_size > 1000


def test_listings_and_oracle(capsys):
    assert main(["tasks"]) == 0
    assert "digits01_4x4" in capsys.readouterr().out
    assert main(["methods"]) == 0
    assert "qubo" in capsys.readouterr().out
    assert main(["oracle", "--task", "bars_stripes_sign", "--top", "3"]) == 0
    out = capsys.readouterr().out
    assert "log evidence" in out and "8192 networks" in out and out.count("p = ") == 3


def test_bad_names_give_clear_errors(capsys, tmp_path):
    assert main(["compare", "--task", "nope", "--out", str(tmp_path)]) == 2
    assert "unknown task" in capsys.readouterr().err
    assert main(["compare", "--methods", "ste,nope", "--out", str(tmp_path)]) == 2
    assert "unknown method" in capsys.readouterr().err
    assert main(["oracle", "--task", "nope"]) == 2
    assert main(["compare", "--set", "epochs=3", "--out", str(tmp_path)]) == 2  # exit status 2, not 1
    assert "--set takes METHOD.OPTION=VALUE" in capsys.readouterr().err


def test_no_arguments_prints_help(capsys):
    assert main([]) == 0
    assert "compare" in capsys.readouterr().out


def test_runs_as_a_fresh_process():
    done = subprocess.run([sys.executable, "-m", "qhyper.cli", "tasks"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and "bars_stripes_sign" in done.stdout


def test_version_names_the_stacks(capsys):
    import pytest

    import qhyper

    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith(f"qhyper {qhyper.__version__} (torch ") and "pennylane" in out and "qiskit" in out


def test_threads_reach_the_runs_and_are_put_back(tmp_path, capsys):
    import torch

    from qhyper.cli import _executor, build_parser

    args = build_parser().parse_args(["compare", "--threads", "1"])
    assert _executor(args).threads == 1
    before = torch.get_num_threads()
    assert main(["compare", "--task", "bars_stripes_sign", "--methods", "ste", "--seeds", "1", "--quick",
                 "--no-progress", "--threads", "1", "--out", str(tmp_path)]) == 0
    assert torch.get_num_threads() == before
    assert main(["oracle", "--task", "bars_stripes_sign", "--top", "1", "--threads", "1"]) == 0
    for bad in ("0", "two"):
        try:
            main(["compare", "--threads", bad, "--out", str(tmp_path)])
        except SystemExit as err:
            assert err.code == 2
        assert "must be an integer ≥ 1" in capsys.readouterr().err
    assert main(["compare", "--executor", "ray", "--threads", "2", "--out", str(tmp_path)]) == 2
    assert "--threads is for --executor local" in capsys.readouterr().err


def test_methods_lists_what_set_accepts(capsys):
    assert main(["methods", "--options", "ste"]) == 0
    out = capsys.readouterr().out
    assert "--set ste.OPTION=VALUE accepts" in out and "epochs" in out and "lr" in out
    assert "100" in out.split("epochs", 1)[1].splitlines()[0]  # the task's setting beside it
    assert main(["methods", "--options", "mle"]) == 0
    out = capsys.readouterr().out
    assert "layers" in out and "steps" in out and "warm_start" in out
    assert main(["methods", "--options", "nope"]) == 2
    assert "unknown method" in capsys.readouterr().err
