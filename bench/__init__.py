"""Benchmarks: python -m bench prints one JSON object per figure."""
