"""The hardening campaign, kept: a mutation fuzzer over every parser and entry point.

``python -m tests.fuzz`` runs it (see ``--help``); ``tests/fuzz/test_campaign.py`` runs a short
budget of it in CI. Seeds come from ``tests/data`` and the examples.
"""
