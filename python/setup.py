"""Records the checkout a non-editable install was built from, so that the installed package
can still find the checkout's target/release/libvirtevent.so (after VIRTEVENT_LIBRARY and the
system's library path). Everything else is in pyproject.toml."""

import os

from setuptools import setup
from setuptools.command.build_py import build_py


class build_py_recording_checkout(build_py):
    def run(self):
        super().run()
        checkout = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        target = os.path.join(self.build_lib, "virtevent", "_checkout.py")
        with open(target, "w") as f:
            f.write('"""Written at build time: the checkout this copy was installed from."""\n\n')
            f.write(f"CHECKOUT = {checkout!r}\n")


setup(cmdclass={"build_py": build_py_recording_checkout})
