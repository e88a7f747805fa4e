"""Benchmarks of pipeline stages (throughput, memory)."""
