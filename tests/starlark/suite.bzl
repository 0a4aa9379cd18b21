"""small_suite: unittest.suite with named, small tests."""

def small_suite(name, tests):
    """A test_suite of small tests made by unittest.make.

    Args:
      name: the test_suite's name; each test is named NAME_<short name>.
      tests: {short name: a test rule made by unittest.make}.
    """
    names = []
    for short_name, test_rule in tests.items():
        names.append(name + "_" + short_name)
        test_rule(name = names[-1], size = "small")
    native.test_suite(name = name, tests = names)
