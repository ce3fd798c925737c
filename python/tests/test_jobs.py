"""The job API: listing, XML, control, the test hypervisor's failure."""

import time

import pytest

import virtevent
from virtevent import JobKind, JobState

from conftest import domain_xml


@pytest.fixture
def dom(conn):
    d = conn.define(domain_xml("jobs", disk=True))
    d.start()
    yield d
    d.destroy()


def wait_state(job, states, timeout=5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if job.info().state in states:
                return True
        except virtevent.NotFound:
            pass
        time.sleep(0.01)
    return False


def test_a_job_is_listed_and_controlled(dom):
    assert dom.jobs() == []
    job = dom.block_pull("vda", bandwidth=1, persist=True)
    assert job.name == "block-pull-vda" and "block-pull-vda" in repr(job)
    [listed] = dom.jobs()
    assert isinstance(listed, virtevent.Job)
    assert listed.kind == JobKind.BLOCK_PULL and listed.state in (JobState.CREATED, JobState.RUNNING)
    assert listed.stats["disk"] == "vda" and listed.stats["end"] > 0 and not listed.finished
    assert dom.jobs(stats=False)[0].stats == {}
    assert dom.jobs(active=True) == dom.jobs() and dom.jobs(finished=True) == []
    assert wait_state(job, {JobState.RUNNING})
    job.pause()
    assert wait_state(job, {JobState.PAUSED})
    job.resume()
    assert wait_state(job, {JobState.RUNNING})
    assert "<job name='block-pull-vda'" in job.xml() and "<stats>" in job.xml()
    assert "<stats>" not in job.xml(stats=False)
    job.abort()
    assert wait_state(job, {JobState.ABORTED})
    assert job.info().finished and dom.jobs(finished=True)[0].name == job.name
    job.dismiss()
    assert dom.jobs() == []


def test_a_failed_job_keeps_its_error(dom):
    job = dom.block_pull("vda", bandwidth=1, persist=True)
    job.fail("the disk fell off")
    assert wait_state(job, {JobState.FAILED})
    assert job.info().stats["error"] == "the disk fell off"
    assert "<error>the disk fell off</error>" in job.xml()
    with pytest.raises(virtevent.OperationInvalid) as err:
        job.fail("again")
    assert err.value.code == virtevent.ErrorCode.OPERATION_INVALID


def test_refused_operations_and_unknown_jobs(dom):
    job = dom.block_pull("vda", bandwidth=1)
    with pytest.raises(virtevent.OperationInvalid) as err:
        job.dismiss()
    assert "block-pull-vda" in err.value.message
    with pytest.raises(virtevent.OperationInvalid):
        job.finalize()
    job.abort()
    missing = dom.job("no-such-job")
    with pytest.raises(virtevent.NotFound) as err:
        missing.xml()
    assert err.value.code == virtevent.ErrorCode.NO_DOMAIN_JOB
    with pytest.raises(virtevent.NotFound):
        missing.info()
    with pytest.raises(virtevent.NotFound):
        missing.control(virtevent.JobControl.ABORT)
    with pytest.raises(virtevent.VirteventError):
        dom.block_pull("vdz")
