"""Notebooks run in the test suite in smoke mode (tiny step counts); unset it to run them in full."""
import os

os.environ.setdefault("QHYPER_SMOKE", "1")
os.environ.setdefault("MPLBACKEND", "Agg")
# Deprecated calls in notebook code are errors (library-level ones are caught by tests/).
os.environ["PYTHONWARNINGS"] = "error::DeprecationWarning:__main__"
