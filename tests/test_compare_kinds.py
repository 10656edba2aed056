"""compare across task kinds: local-IB methods, PIBiNN inverse problems, honest 'unavailable' rows."""
import json
import math

import qhyper as qh


def test_inverse_problem_table_reports_nmse_and_bits(tmp_path):
    table = qh.compare(["ista", "pibinn", "ste"], task="deconv1d", seeds=1, quick=True, progress=False)
    rows = {r["method"]: r for r in table}
    assert rows["ista"]["status"] == rows["pibinn"]["status"] == "ok"
    assert rows["pibinn"]["bits_per_weight_mean"] < 1.0
    assert rows["ste"]["status"] == "unavailable" and "classification" in rows["ste"]["reason"]
    assert "test NMSE dB" in table.format()
    table.save_json(tmp_path / "t.json")
    table.plot(tmp_path / "t.png")
    assert json.loads((tmp_path / "t.json").read_text())["rows"][1]["method"] == "pibinn"
    assert (tmp_path / "t.png").stat().st_size > 0


def test_local_ib_methods_run_on_their_tasks():
    table = qh.compare(["localib", "e2e", "pibinn"], task="moons", seeds=1, quick=True, progress=False)
    rows = {r["method"]: r for r in table}
    assert rows["localib"]["status"] == rows["e2e"]["status"] == "ok"
    assert 0.5 <= rows["localib"]["test_accuracy_mean"] <= 1.0
    assert rows["pibinn"]["status"] == "unavailable"


def test_quantum_methods_beyond_memory_are_unavailable_not_failed():
    table = qh.compare(["mle"], task="moons", seeds=1, quick=True, progress=False)
    assert table[0]["status"] == "unavailable" and "qubits" in table[0]["reason"]


def test_default_methods_follow_the_task():
    assert qh.comparison.get_task("block_cs").methods[-1] == "qhn"
    assert "localib" in qh.comparison.get_task("digits10_8x8").methods


def test_a_metric_that_is_nan_on_every_seed_is_shown_not_fatal():
    table = qh.compare(["ista"], task="deconv1d", seeds=2, quick=True, progress=False)
    row = table[0]  # ista stores no weights: bits per weight is NaN on both seeds
    assert row["status"] == "ok" and math.isnan(row["bits_per_weight_mean"]) and math.isnan(row["bits_per_weight_std"])
    assert row["test_nmse_db_std"] >= 0.0


def test_qhn_on_a_problem_beyond_enumeration_is_unavailable_not_failed():
    """deconv1d lists qhn among its methods, but its 314 sign bits are beyond exact mode:
    the default command must report that (and exit 0), not a failed row (exit 1)."""
    table = qh.compare(["qhn"], task="deconv1d", seeds=1, quick=True, progress=False)
    assert table[0]["status"] == "unavailable" and "314 sign bits" in table[0]["reason"]
