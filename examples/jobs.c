/* Start a block copy, watch its job, pivot when it is ready, read its record, dismiss it. */
#include <libvirt/libvirt.h>
#include <stdio.h>
#include <stdlib.h>

static int state = VIR_DOMAIN_JOB_STATE_NONE;

static void on_job(virConnectPtr conn, virDomainPtr dom, const virConnectEvent *ev, void *opaque)
{
    (void)conn, (void)dom, (void)opaque;
    printf("%s: job %s: %d -> %d%s%s\n", ev->domainName, ev->data.jobState.name,
           ev->data.jobState.oldState, ev->data.jobState.newState,
           ev->data.jobState.error ? ": " : "", ev->data.jobState.error ? ev->data.jobState.error : "");
    state = ev->data.jobState.newState;
}

int main(void)
{
    virEventRegisterDefaultImpl();
    virConnectPtr conn = virConnectOpen("test:///default");
    virDomainPtr dom = virDomainLookupByName(conn, "test");
    int cb = virConnectEventRegister(conn, dom, "job-state", on_job, NULL, NULL);

    /* any call that starts a job takes VIR_DOMAIN_JOB_PERSIST: the record outlives the job */
    if (virDomainBlockCopy(dom, "vda", "<disk type='file'><source file='/copy.img'/></disk>",
                           NULL, 0, VIR_DOMAIN_JOB_PERSIST) < 0)
        return 1;
    while (state != VIR_DOMAIN_JOB_STATE_READY)
        virEventRunDefaultImpl();
    virDomainJobControl(dom, "block-copy-vda", VIR_DOMAIN_JOB_CONTROL_OPERATION_FINALIZE, 0);
    while (state != VIR_DOMAIN_JOB_STATE_COMPLETED)
        virEventRunDefaultImpl();

    virDomainJobPtr *jobs;
    int n = virDomainJobList(dom, &jobs, VIR_DOMAIN_JOB_LIST_FINISHED);
    for (int i = 0; i < n; i++) {
        char *xml = virDomainJobGetXMLDesc(dom, jobs[i]->name, 0);
        printf("%s", xml);
        free(xml);
        virDomainJobControl(dom, jobs[i]->name, VIR_DOMAIN_JOB_CONTROL_OPERATION_DISMISS, 0);
        virDomainJobFree(jobs[i]);
    }
    free(jobs);

    virConnectEventUnregister(conn, cb);
    virDomainFree(dom);
    virConnectClose(conn);
    return n == 1 ? 0 : 1;
}
