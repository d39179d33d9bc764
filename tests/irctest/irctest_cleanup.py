"""pytest plugin (run.sh loads it with `-p irctest_cleanup`): stop a test's server.

irctest stops the server in the test's tearDown, but pytest runs teardown_method only
when setup_method succeeded: a test class whose setUp starts the server and then skips
(bot_mode.py: "Unsupported ISUPPORT token: BOT") leaves its server running, one orphan
per test, for the rest of the machine's life. This kills whatever is still running
after every test.
"""

import pytest


@pytest.hookimpl(trylast=True)
def pytest_runtest_teardown(item, nextitem):  # type: ignore[no-untyped-def]
    instance = getattr(item, "instance", None)
    controller = getattr(instance, "controller", None)
    if controller is not None and getattr(controller, "proc", None) is not None:
        controller.kill()
