"""The job API: every long-running domain operation is a named job (``virDomainJob*``)."""

from __future__ import annotations

import ctypes
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from . import _ffi
from ._constants import JobControl, JobKind, JobListFlags, JobState, JobXMLFlags
from .errors import NotFound, check, enum_or_int, fail
from .typedparams import read_params

if TYPE_CHECKING:
    from .connection import Domain


@dataclass(slots=True)
class Job:
    """One job as ``virDomainJobList`` lists it.

    ``stats`` holds its typed parameters ("current" and "end" bytes, "disk" for a job bound to
    one disk, "error" once failed); empty when listed without statistics.
    """

    name: str
    kind: JobKind
    state: JobState
    stats: dict[str, Any] = field(default_factory=dict)

    @property
    def finished(self) -> bool:
        return self.state in (JobState.COMPLETED, JobState.FAILED, JobState.ABORTED)


def list_jobs(domain: "Domain", active: bool, finished: bool, stats: bool) -> list[Job]:
    flags = 0
    if active:
        flags |= JobListFlags.ACTIVE
    if finished:
        flags |= JobListFlags.FINISHED
    if not stats:
        flags |= JobListFlags.NO_STATS
    array = ctypes.POINTER(ctypes.POINTER(_ffi.virDomainJob))()
    n = check(_ffi.lib.virDomainJobList(domain._ptr, ctypes.byref(array), flags), "virDomainJobList")
    jobs = []
    try:
        for i in range(n):
            j = array[i].contents
            jobs.append(Job(j.name.decode(), enum_or_int(JobKind, j.type), enum_or_int(JobState, j.state),
                            read_params(j.data, j.ndata) if j.data else {}))
    finally:
        for i in range(n):
            _ffi.lib.virDomainJobFree(array[i])
        _ffi.libc.free(ctypes.cast(array, ctypes.c_void_p))
    return jobs


class JobHandle:
    """A job of a domain by name (``dom.job(name)``): its XML, its listing, its control."""

    def __init__(self, domain: "Domain", name: str) -> None:
        self.domain = domain
        self.name = name

    def __repr__(self) -> str:
        return f"JobHandle({self.domain.name!r}, {self.name!r})"

    def info(self, stats: bool = True) -> Job:
        """The job as listed now; NotFound if it is not listed."""
        for job in list_jobs(self.domain, False, False, stats):
            if job.name == self.name:
                return job
        raise NotFound(f"no job {self.name!r} on domain {self.domain.name!r}")

    def xml(self, stats: bool = True) -> str:
        """``virDomainJobGetXMLDesc``; NotFound (VIR_ERR_NO_DOMAIN_JOB) for an unknown job."""
        flags = 0 if stats else JobXMLFlags.NO_STATS
        text = _ffi.take_string(_ffi.lib.virDomainJobGetXMLDesc(self.domain._ptr, self.name.encode(), flags))
        if text is None:
            fail("virDomainJobGetXMLDesc")
        return text

    def control(self, op: JobControl) -> None:
        """Asks the job to change state (``virDomainJobControl``); OperationInvalid where the
        state machine does not allow ``op``. The change may happen after the call returns:
        the ``job-state`` event tells."""
        check(_ffi.lib.virDomainJobControl(self.domain._ptr, self.name.encode(), int(op), 0),
              "virDomainJobControl")

    def abort(self) -> None:
        self.control(JobControl.ABORT)

    def pause(self) -> None:
        self.control(JobControl.PAUSE)

    def resume(self) -> None:
        self.control(JobControl.RESUME)

    def finalize(self) -> None:
        self.control(JobControl.FINALIZE)

    def dismiss(self) -> None:
        self.control(JobControl.DISMISS)

    def fail(self, message: str) -> None:
        """Test hypervisor only (``virTestDomainFailJob``): the job fails with ``message``."""
        check(_ffi.lib.virTestDomainFailJob(self.domain._ptr, self.name.encode(), message.encode(), 0),
              "virTestDomainFailJob")


__all__ = ["Job", "JobHandle"]
