"""The ``mmd`` method's gradient defaults: SPSA averaging MMD_DIRECTIONS directions per step."""
import pytest

import qhyper as qh
from qhyper.comparison.methods import qhn as qhn_method


def test_default_gradient_is_spsa_with_two_directions():
    opts = {}
    qhn_method._spsa_default(opts)
    assert opts["gradient"] == "spsa" and opts["spsa"].directions == qhn_method.MMD_DIRECTIONS == 2


def test_directions_option_reaches_spsa_and_other_gradients_are_kept():
    opts = {}
    qhn_method._spsa_default(opts, 5)
    assert opts["spsa"].directions == 5
    ps = {"gradient": "parameter-shift"}
    qhn_method._spsa_default(ps)
    assert ps == {"gradient": "parameter-shift"}


def test_directions_with_another_gradient_is_refused_before_any_run():
    with pytest.raises(ValueError, match="directions=3.*gradient='parameter-shift'"):
        qh.compare(["mmd"], task="digits01_4x4", seeds=1, progress=False,
                   options={"mmd": {"directions": 3, "gradient": "parameter-shift"}})
    with pytest.raises(ValueError, match="directions must be an integer"):
        qh.compare(["mmd"], task="digits01_4x4", seeds=1, progress=False, options={"mmd": {"directions": 0}})


def test_quick_mmd_run_uses_the_default_directions():
    """A default run samples as many networks as one with directions=2 set, and more than one with 1."""
    def networks_scored(**extra):
        run = qh.compare(["mmd"], task="digits01_4x4", seeds=1, quick=True, progress=False,
                         options={"mmd": {"final_shots": 2, **extra}}).runs[0]
        assert run["status"] == "ok"
        return run["evaluations"]

    default = networks_scored()
    assert default == networks_scored(directions=2) > networks_scored(directions=1)
