"""p_opt: the probability of the set of optimal networks, ties included — exact, shots, oracle, table."""
import torch

import qhyper as qh
from qhyper.objectives import MLE, LossSource
from qhyper.trainers.qhn_summary import OPTIMUM_RTOL, optimal, summarise


def _tied_table():
    table = torch.linspace(1.0, 2.0, 16, dtype=torch.float64)
    table[[3, 9, 12]] = 0.5  # three tied optima; argmin picks 3
    table[12] += 0.5 * OPTIMUM_RTOL  # a rounding-size difference is still a tie
    return table


def test_exact_mass_on_a_tied_optimum_that_is_not_the_argmin():
    table = _tied_table()
    q = torch.full((16,), 1e-4, dtype=torch.float64)
    q[12] = 1 - 15e-4
    _, m = summarise({"objective": 0.0, "probs": q}, LossSource(table), MLE(), None)
    assert m["p_best"] < 1e-3 and abs(m["p_opt"] - (q[3] + q[9] + q[12])) < 1e-15
    assert optimal(table).nonzero().squeeze(-1).tolist() == [3, 9, 12]


def test_shot_mode_counts_samples_on_any_optimum():
    table = _tied_table()
    samples = qh.bitstrings.index_to_bits(torch.tensor([12] * 6 + [9] * 2 + [0] * 2), 4)
    _, m = summarise({"objective": 0.0, "samples": samples}, LossSource(table), MLE(), None)
    assert m["p_best"] == 0.0 and m["p_opt"] == 0.8


def test_a_symmetric_model_has_several_optima():
    # two sign hidden units: permuting them (and flipping signs) gives the same function
    ev = qh.comparison.get_task("bars_stripes_sign").evaluator()
    res = qh.trainers.Exhaustive().fit(ev)
    assert res.metrics["p_best"] < 0.2 and res.metrics["p_opt"] > 0.99


def test_the_table_shows_it():
    table = qh.compare(["exact"], task="bars_stripes_sign", seeds=1, quick=True, progress=False)
    text = table.format()
    assert "p(opt)" in text and "ties included" in text
    assert table[0]["p_opt_mean"] > 0.99
