"""small_suite: unittest.suite with named, small tests."""

def small_suite(name, tests):
    """One small test per entry of `tests` ({short name: a rule made by unittest.make}), named
    NAME_<short name>, and a test_suite NAME of them all."""
    names = []
    for short_name, test_rule in tests.items():
        names.append(name + "_" + short_name)
        test_rule(name = names[-1], size = "small")
    native.test_suite(name = name, tests = names)
