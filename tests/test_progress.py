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
