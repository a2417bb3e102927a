"""Reproducible workloads for dunbar: ``python -m benchmarks.run`` (see benchmarks/README.md)."""
