"""small_suite: a test_suite of named, small tests."""

def small_suite(name, tests, **attrs):
    """A test_suite of small tests made by unittest.make (or analysistest.make).

    Args:
      name: the test_suite's name; each test is named NAME_<short name>.
      tests: {short name: a test rule made by unittest.make or analysistest.make}.
      **attrs: attributes every test gets, e.g. an analysis test's target_under_test.
    """
    names = []
    for short_name, test_rule in tests.items():
        names.append(name + "_" + short_name)
        test_rule(name = names[-1], size = "small", **attrs)
    native.test_suite(name = name, tests = names)
