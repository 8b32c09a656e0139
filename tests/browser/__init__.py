"""Browser tests of the employer's pages in Debian's Chromium.

A package, so that its conftest does not shadow the `conftest` module that tests/web imports from.
"""
