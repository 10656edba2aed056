"""Progress bars: none in a redirected log, forced by QHYPER_PROGRESS, no IProgress warning in Jupyter."""
import io
import sys
import warnings

import qhyper._progress as progress


def test_no_bar_when_stderr_is_not_a_terminal(monkeypatch, capsys):
    monkeypatch.delenv("QHYPER_PROGRESS", raising=False)
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    assert not progress.bars_shown()
    bar = progress.tqdm(range(50), desc="x")
    assert bar.disable
    for _ in bar:
        pass
    assert sys.stderr.getvalue() == ""


def test_forced_on_and_off(monkeypatch):
    monkeypatch.setenv("QHYPER_PROGRESS", "1")
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    assert progress.bars_shown() and not progress.tqdm(total=3, file=io.StringIO()).disable
    assert progress.tqdm(total=3, disable=True).disable  # the caller's progress=False still wins
    monkeypatch.setenv("QHYPER_PROGRESS", "0")
    assert not progress.bars_shown()


def test_a_notebook_without_ipywidgets_gets_a_text_bar_and_no_warning(monkeypatch):
    monkeypatch.delenv("QHYPER_PROGRESS", raising=False)
    monkeypatch.setattr(progress, "_in_notebook", lambda: True)
    monkeypatch.setattr(progress.importlib.util, "find_spec", lambda name: None)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        bar = progress.tqdm(total=3, file=io.StringIO())
    from tqdm.std import tqdm as text_bar

    assert type(bar) is text_bar and not bar.disable


def test_bars_inside_nested_sit_below_and_runs_are_told_to_show_theirs(monkeypatch):
    monkeypatch.setenv("QHYPER_PROGRESS", "1")
    assert not progress.inner()
    outer = progress.tqdm(total=2, file=io.StringIO())
    with progress.nested():
        assert progress.inner()
        bar = progress.tqdm(total=3, file=io.StringIO(), leave=True)
        assert abs(bar.pos) == 1 and bar.leave is False  # tqdm stores a fixed position as -position
        bar.close()
    with progress.nested(False):
        assert not progress.inner()
    outer.close()
    monkeypatch.setenv("QHYPER_PROGRESS", "0")
    with progress.nested():
        assert not progress.inner()  # no bar shown here: runs show none either


def test_eta_counts_each_methods_remaining_runs_at_its_own_mean():
    from qhyper.comparison.run import _eta

    assert _eta({"mle": 3}, {}) == "?"
    # mle: 2 left at 10 s; ste: 4 left at 2 s; mmd: none finished yet → the overall mean (22/3 s), 3 left
    assert _eta({"mle": 2, "ste": 4, "mmd": 3, "qubo": 0}, {"mle": [8.0, 12.0], "ste": [2.0]}) == "0:50"
    assert _eta({"mle": 13}, {"mle": [10.0]}) == "2:10"


def test_compare_runs_show_their_own_bar_under_the_experiment_bar(monkeypatch):
    import qhyper as qh
    from qhyper.trainers import QHN

    import functools

    seen = []
    original = QHN.__init__

    @functools.wraps(original)  # the options check reads QHN's signature
    def spy(self, *args, **kwargs):
        seen.append(kwargs.get("progress"))
        original(self, *args, **kwargs)

    monkeypatch.setattr(QHN, "__init__", spy)
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    monkeypatch.setenv("QHYPER_PROGRESS", "1")
    qh.compare(["mle"], task="digits01_4x4", seeds=1, quick=True)
    monkeypatch.setenv("QHYPER_PROGRESS", "0")
    qh.compare(["mle"], task="digits01_4x4", seeds=1, quick=True)
    qh.compare(["mle"], task="digits01_4x4", seeds=1, quick=True, progress=False)
    runs = [p for p in seen if p is not None]  # None: the options check's trainer, built without it
    assert runs == [True, False, False]
