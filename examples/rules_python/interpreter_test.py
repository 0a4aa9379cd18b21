"""The interpreter rules_python runs this on is the release's: its version, its prefix inside
the toolchain's external repository, and the extension modules a consumer needs."""

import sqlite3
import ssl
import sys
import unittest

EXPECTED_VERSION, PLATFORM = sys.argv.pop(1), sys.argv.pop(1)


class Interpreter(unittest.TestCase):
    def test_version_is_the_release(self) -> None:
        self.assertEqual("{}.{}.{}".format(*sys.version_info[:3]), EXPECTED_VERSION)

    def test_prefix_is_the_toolchain_repository(self) -> None:
        # python_register_toolchains(name = "python_3") puts a platform's interpreter in the
        # external repository python_3_<platform>.
        self.assertIn(f"/python_3_{PLATFORM}/", sys.prefix + "/")
        self.assertEqual(sys.prefix, sys.base_prefix)

    def test_extension_modules_import(self) -> None:
        self.assertTrue(ssl.OPENSSL_VERSION.startswith("OpenSSL "), ssl.OPENSSL_VERSION)
        self.assertTrue(sqlite3.sqlite_version)


if __name__ == "__main__":
    unittest.main()
