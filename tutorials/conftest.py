"""Notebooks run in the test suite in smoke mode (tiny step counts); unset it to run them in full."""
import os

os.environ.setdefault("QHYPER_SMOKE", "1")
os.environ.setdefault("MPLBACKEND", "Agg")
