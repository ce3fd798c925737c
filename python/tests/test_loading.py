"""Finding the library, the generated constants, event names from the library."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

import virtevent
from virtevent import _constants

PACKAGE_ROOT = Path(__file__).resolve().parent.parent
HEADER = PACKAGE_ROOT.parent / "include" / "virtevent.h"


def test_the_library_loaded_is_the_one_asked_for():
    wanted = os.environ.get("VIRTEVENT_LIBRARY")
    assert virtevent.LIBRARY_PATH == (wanted or virtevent.LIBRARY_PATH)
    assert Path(virtevent.LIBRARY_PATH).name.startswith("libvirtevent.so")


def test_a_library_that_cannot_load_gives_an_import_error_naming_what_was_tried(tmp_path):
    missing = tmp_path / "nowhere" / "libvirtevent.so"
    proc = subprocess.run([sys.executable, "-c", "import virtevent"], capture_output=True, text=True,
                          env={**os.environ, "VIRTEVENT_LIBRARY": str(missing),
                               "PYTHONPATH": str(PACKAGE_ROOT)})
    assert proc.returncode != 0
    assert "ImportError" in proc.stderr and str(missing) in proc.stderr
    assert "VIRTEVENT_LIBRARY" in proc.stderr


def test_without_the_variable_the_checkout_build_is_found():
    env = {k: v for k, v in os.environ.items() if k != "VIRTEVENT_LIBRARY"}
    env["PYTHONPATH"] = str(PACKAGE_ROOT)
    proc = subprocess.run([sys.executable, "-c", "import virtevent; print(virtevent.LIBRARY_PATH)"],
                          capture_output=True, text=True, env=env)
    assert proc.returncode == 0, proc.stderr
    assert "libvirtevent.so" in proc.stdout


@pytest.mark.skipif(not HEADER.exists(), reason="no checkout header next to the package")
def test_generated_constants_and_structures_match_the_header():
    proc = subprocess.run([sys.executable, str(PACKAGE_ROOT / "tools" / "gen_from_header.py"), "--check",
                           str(HEADER), str(PACKAGE_ROOT / "virtevent")], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def test_constants_are_the_headers_values():
    assert virtevent.ErrorCode.RESOURCE_VERSION_CONFLICT == 1000
    assert virtevent.ErrorCode.NO_DOMAIN == 42 and virtevent.ErrorCode.WAR_NO_NETWORK == 41
    assert virtevent.DomainState.PAUSED == 3
    assert virtevent.JobState.ABORTING == 10
    assert _constants.VIR_DOMAIN_EVENT_ID_EXT_FIRST == 256
    assert not any(name.endswith("LAST") for name in virtevent.LifecycleEvent.__members__)


def test_event_names_come_from_the_library():
    names = virtevent.event_names()
    assert names[0] == "lifecycle" and "existence" in names and "job-state" in names
    assert len(names) == len(set(names)) == len(virtevent.EventID)
    for name in names:
        eid = virtevent.event_id(name)
        assert virtevent.event_name(eid) == name
        assert eid.name == name.upper().replace("-", "_")
    assert virtevent.EventID.IO_ERROR_REASON == 6
    assert virtevent.EventID.EXISTENCE == 256


def test_unknown_event_names_and_ids_are_invalid_arguments():
    with pytest.raises(virtevent.InvalidArgument) as err:
        virtevent.event_id("no-such-event")
    assert err.value.code == virtevent.ErrorCode.INVALID_ARG
    with pytest.raises(virtevent.InvalidArgument):
        virtevent.event_name(9999)
