"""Test and benchmark infrastructure around the sandbox: crawls against broken sites, and what they must give.

Not part of the product: only the tests and bench/ import it.
"""
