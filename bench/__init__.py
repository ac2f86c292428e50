"""Load benchmarks; run them with ``uv run python bench/run.py`` (see docs/benchmarks.md)."""
