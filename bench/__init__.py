"""Benchmarks: each compares speechcrawl to a baseline measured in the same run."""
