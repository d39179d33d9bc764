"""Rewrites irctest's conftest.py (in a copy) for Debian's pytest/pluggy.

Debian's pluggy (1.0) predates new-style `@pytest.hookimpl(wrapper=True)` wrappers
(../shared/PEERS.md). The old style, `hookwrapper=True`, has other semantics: `yield`
returns a pluggy Result instead of raising the test's exception into the wrapper,
so the hook body is rewritten rather than only its decorator: it reads the outcome's
exception and, where irctest turns a skip into an error (a controller that declares an
optional behaviour but skips it), replaces the outcome's exception.

usage: patch_conftest.py CONFTEST_PY   (edits the file in place; exits 1 when the
snapshot's hook is not the one this patch expects, so a new snapshot is noticed)
"""

import sys

ORIGINAL = '''@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """Called by pytest to wrap individual test execution.

    We use this to turn some instances of unittest.SkipTest into
    fatal errors, if the specific implementation being tested is expected
    to support an optional behavior.
    """
    try:
        return (yield)
    except unittest.SkipTest as e:
        if isinstance(e, OptionalBehaviorNotSupported):
            behavior = e.args[0]
            if controller := getattr(item.instance, "controller", None):
                if behavior in controller.optional_behaviors:
                    raise Exception(
                        f"Software {controller.software_name} must support behavior {behavior} but does not"
                    )
        raise  # skip the test after all
'''

PATCHED = '''@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    """Called by pytest to wrap individual test execution.

    We use this to turn some instances of unittest.SkipTest into
    fatal errors, if the specific implementation being tested is expected
    to support an optional behavior.

    (Patched for pluggy < 1.1 by tests/irctest/patch_conftest.py: old-style
    hookwrapper, the test's exception is in the outcome instead of raised here.)
    """
    outcome = yield
    excinfo = outcome.excinfo
    if excinfo is None or not isinstance(excinfo[1], unittest.SkipTest):
        return
    e = excinfo[1]
    if isinstance(e, OptionalBehaviorNotSupported):
        behavior = e.args[0]
        if controller := getattr(item.instance, "controller", None):
            if behavior in controller.optional_behaviors:
                try:
                    raise Exception(
                        f"Software {controller.software_name} must support behavior {behavior} but does not"
                    ) from e
                except Exception as error:
                    if hasattr(outcome, "force_exception"):  # pluggy >= 1.1
                        outcome.force_exception(error)
                    else:
                        import sys

                        outcome._excinfo = sys.exc_info()
    # otherwise: skip the test after all (the outcome keeps its SkipTest)
'''


def main() -> int:
    (path,) = sys.argv[1:]
    with open(path, encoding="utf-8") as f:
        text = f.read()
    if ORIGINAL not in text:
        print(f"patch_conftest.py: {path} does not contain the expected "
              "pytest_runtest_call wrapper; update the patch for this snapshot", file=sys.stderr)
        return 1
    with open(path, "w", encoding="utf-8") as f:
        f.write(text.replace(ORIGINAL, PATCHED))
    return 0


if __name__ == "__main__":
    sys.exit(main())
