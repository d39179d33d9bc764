"""irctest's stock ngIRCd controller, made to run as root on this machine.

ngIRCd drops root to `nobody` after start-up, so everything it reads later must be
readable by that user; the stock controller keeps its files in a 0700 mkdtemp
directory owned by root. This subclass opens that directory up (the snapshot of
irctest itself stays unedited).

It also skips services tests: no services package (Anope/Atheme) is run beside ngIRCd
here, and the stock controller would crash on the missing services controller class.
"""

import os
from typing import Optional, Type

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

    def run(self, hostname: str, port: int, *, run_services: bool, **kwargs: Optional[object]) -> None:  # type: ignore[override]
        if run_services and not hasattr(self, "services_controller_class"):
            raise NotImplementedByController("services (none run beside ngIRCd)")
        super().run(hostname, port, run_services=run_services, **kwargs)  # type: ignore[arg-type]


def get_irctest_controller_class() -> Type[NgircdController]:
    return NobodyReadableNgircdController
