"""The comparison run store: durable appends, torn last lines, strict JSON, atomic summaries."""
import json
import math
import os

import pytest
import torch

from qhyper.comparison.store import FINISHED, RunStore, run_key, strict, write_atomic


def record(key, status="ok", **metrics):
    return {"key": key, "status": status, "metrics": metrics}


def test_records_come_back_in_order_and_strict(tmp_path):
    store = RunStore(tmp_path / "exp")
    store.append(record("a", train_nll=0.5, gap=math.nan, big=math.inf))
    store.append(record("b", "interrupted", bits=torch.tensor([1.0, 0.0])))
    text = store.path.read_text()
    json.loads(text.splitlines()[0], parse_constant=lambda c: pytest.fail(f"non-strict JSON {c}"))
    got = list(store.records())
    assert [r["key"] for r in got] == ["a", "b"]
    assert got[0]["metrics"] == {"train_nll": 0.5, "gap": None, "big": None}
    assert got[1]["metrics"]["bits"] == [1.0, 0.0]


def test_only_final_statuses_count_as_finished_and_the_latest_record_wins(tmp_path):
    store = RunStore(tmp_path)
    store.append(record("x", "interrupted"))
    store.append(record("y", "failed"))
    store.append(record("z", "unavailable"))
    assert store.finished_keys() == {"y", "z"}
    store.append(record("x", "ok"))  # the interrupted run, redone
    assert store.finished_keys() == {"x", "y", "z"} and store.latest()["x"]["status"] == "ok"
    assert FINISHED == {"ok", "failed", "unavailable"}


def test_a_torn_last_line_is_dropped_but_corruption_elsewhere_raises(tmp_path):
    store = RunStore(tmp_path)
    store.append(record("a"))
    with open(store.path, "a") as f:
        f.write('{"key": "b", "stat')  # the driver died mid-append
    with pytest.warns(RuntimeWarning, match="torn last record"):
        assert [r["key"] for r in store.records()] == ["a"]
    store.path.write_text('{"key": "a", "status": "ok"}\nnot json\n{"key": "c", "status": "ok"}\n')
    with pytest.raises(ValueError, match="line 2 is not a JSON record"):
        list(store.records())


def test_bad_records_are_refused_before_writing(tmp_path):
    store = RunStore(tmp_path)
    with pytest.raises(ValueError, match="'key'"):
        store.append({"status": "ok"})
    with pytest.raises(ValueError, match="status must be one of"):
        store.append({"key": "a", "status": "done"})
    assert not store.path.exists()


def test_run_keys_are_stable_and_option_order_free():
    a = run_key("moons", "ste", 0, {"epochs": 5, "lr": 0.01})
    assert a == run_key("moons", "ste", 0, {"lr": 0.01, "epochs": 5})
    assert a != run_key("moons", "ste", 1, {"epochs": 5, "lr": 0.01})
    assert a != run_key("moons", "ste", 0, {"epochs": 6, "lr": 0.01})


def test_atomic_writes_leave_the_old_file_whole_when_writing_fails(tmp_path, monkeypatch):
    path = tmp_path / "summary.json"
    write_atomic(path, '{"old": 1}')
    monkeypatch.setattr(os, "replace", lambda *a: (_ for _ in ()).throw(OSError("disk full")))
    with pytest.raises(OSError, match="disk full"):
        write_atomic(path, '{"new": 2}')
    assert json.loads(path.read_text()) == {"old": 1}
    assert [p.name for p in tmp_path.iterdir()] == ["summary.json"]  # no temporary left behind


def test_strict_data_has_no_non_finite_numbers():
    out = strict({"a": [1.0, math.nan, (2, -math.inf)], 3: torch.tensor(0.5)})
    assert out == {"a": [1.0, None, [2, None]], "3": 0.5}
    json.dumps(out, allow_nan=False)
