"""irctest's stock ngIRCd controller, made to run as root on this machine.

ngIRCd drops root to `nobody` after start-up, so everything it reads later must be
readable by that user; the stock controller keeps its files in a 0700 mkdtemp
directory owned by root. This subclass opens that directory up (the snapshot of
irctest itself stays unedited).

No services package (Anope/Atheme) runs beside it here: services tests run against the
bare server, as they do for sock, and skip where they need account registration (the
stock controller would crash on the missing services controller class instead).
"""

import os
from typing import Any, Optional, Type

from irctest.controllers.ngircd import NgircdController
from irctest.runner import NotImplementedByController


class NobodyReadableNgircdController(NgircdController):
    def create_config(self) -> None:
        super().create_config()
        assert self.directory
        os.chmod(self.directory, 0o755)

    def gen_ssl(self) -> None:
        super().gen_ssl()
        for path in (self.key_path, self.pem_path, self.dh_path, self.csr_path):
            if path.exists():
                os.chmod(path, 0o644)

    def run(self, hostname: str, port: int, *, run_services: bool, **kwargs: Any) -> None:  # type: ignore[override]
        # Services tests run against the bare server, as they do for sock
        # (tests/irctest/sock_controller.py), and skip where they need accounts.
        super().run(hostname, port, run_services=False, **kwargs)

    def wait_for_services(self) -> None:
        self.wait_for_port()

    def registerUser(self, case, username: str, password: Optional[str] = None) -> None:  # type: ignore
        raise NotImplementedByController("account registration (no services package beside ngIRCd)")


def get_irctest_controller_class() -> Type[NgircdController]:
    return NobodyReadableNgircdController
