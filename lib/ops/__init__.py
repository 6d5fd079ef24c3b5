"""Command-line operations behind python -m lib (each module has main(argv) -> int)."""
