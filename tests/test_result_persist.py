"""TrainResult.save / load: plain data back, objects named."""
import pytest
import torch

import qhyper as qh


def test_a_qhn_result_round_trips(tmp_path):
    ev = qh.comparison.get_task("bars_stripes_sign").evaluator()
    hn = qh.Hypernetwork.for_model(ev.model, layers=2, seed=0)
    res = qh.trainers.QHN(steps=5, seed=0, progress=False).fit(hn, ev)
    res.save(tmp_path / "r.pt")
    torch.load(tmp_path / "r.pt", weights_only=True)  # plain data
    back = type(res).load(tmp_path / "r.pt")
    assert back.method == res.method and torch.equal(back.bits, res.bits)
    assert back.metrics == res.metrics and back.history == res.history
    assert back.evaluations == res.evaluations and back.wall_time == res.wall_time
    assert torch.equal(back.state["theta"], res.state["theta"]) and torch.equal(back.state["probs"], res.state["probs"])
    assert "distribution" in back.state["not_saved"]  # an object: named, not pickled


def test_not_a_result_file(tmp_path):
    from qhyper.results import TrainResult

    torch.save({"x": 1}, tmp_path / "x.pt")
    with pytest.raises(ValueError, match="not a file written by TrainResult.save"):
        TrainResult.load(tmp_path / "x.pt")
