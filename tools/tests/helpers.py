"""Shared helpers for the grader's unit tests."""

from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"


def data(name):
    """Content of a fixture file in tools/tests/data/."""
    return (DATA / name).read_text(encoding="utf-8")
