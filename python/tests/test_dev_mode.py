"""The package under ``python -X dev -W error::ResourceWarning``: nothing left open, no warning."""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

SCRIPT = textwrap.dedent("""
    import asyncio, gc
    import virtevent
    XML = "<domain type='test'><name>dev</name><memory>1024</memory><os><type>hvm</type></os></domain>"
    with virtevent.open("test:///empty") as conn:
        seen = []
        reg = conn.on(None, seen.append)
        with conn.events(timeout=0.1) as stream, virtevent.Informer(conn) as informer:
            dom = conn.define(XML)
            dom.start()
            dom.suspend()
            events = list(stream)
            informer.poll()
        async def main():
            async for ev in conn.aevents(timeout=0.05):
                pass
            async for ev in conn.aevents(since=0):
                break
        asyncio.run(main())
        reg.cancel()
        dom.destroy()
    # left to the atexit hook: a connection with a callback still registered
    other = virtevent.open("test:///empty")
    other.on(None, print)
    gc.collect()
    print("done", len(events))
""")


def test_dev_mode_and_resource_warnings_as_errors():
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    proc = subprocess.run([sys.executable, "-X", "dev", "-W", "error::ResourceWarning", "-c", SCRIPT],
                          capture_output=True, text=True, env=env, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "done 4" and proc.stderr == ""
