"""Benchmarks: `python -m benchmarks.run --tier S|M` (see docs/benchmarks.md)."""
