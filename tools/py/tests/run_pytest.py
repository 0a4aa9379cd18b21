"""Runs pytest on this directory (the entry point of //tools/py:unit_tests)."""

import os
import sys

import pytest

if __name__ == "__main__":
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path.insert(0, here)  # the tests import their shared builders
    sys.exit(pytest.main([here, "-p", "no:cacheprovider", "-q", *sys.argv[1:]]))
