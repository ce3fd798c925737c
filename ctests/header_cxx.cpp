// The libvirt-compatible headers used from C++: they compile with -std=c++11 -Wall -Wextra
// -Werror, declare the functions extern "C" (this program links against the library) and
// their macros work in C++. Built and run by ctests/headers.sh.
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include <cstdio>

static int on_lifecycle(virConnectPtr, virDomainPtr, int, int, void *)
{
    return 0;
}

static void on_event(virConnectPtr, virDomainPtr, const virConnectEvent *, void *) {}

int main()
{
    static_assert(VIR_DOMAIN_EVENT_ID_LIFECYCLE == 0, "lifecycle is event 0");
    static_assert(LIBVIR_CHECK_VERSION(9, 0, 0), "the API mirrors libvirt 9.0.0");
    unsigned long version = 0;
    if (virGetVersion(&version, nullptr, nullptr) != 0 || version != LIBVIR_VERSION_NUMBER) {
        std::printf("FAIL header_cxx: virGetVersion\n");
        return 1;
    }
    if (virEventRegisterDefaultImpl() != 0) {
        std::printf("FAIL header_cxx: virEventRegisterDefaultImpl\n");
        return 1;
    }
    virConnectPtr conn = virConnectOpen("test:///empty");
    int id = virConnectDomainEventRegisterAny(conn, nullptr, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                              VIR_DOMAIN_EVENT_CALLBACK(on_lifecycle), nullptr, nullptr);
    int gid = virConnectEventRegister(conn, nullptr, nullptr, on_event, nullptr, nullptr);
    virErrorPtr err = virGetLastError();
    bool ok = conn && id >= 0 && gid >= 0 && err == nullptr &&
              virConnectDomainEventDeregisterAny(conn, id) == 0 && virConnectEventUnregister(conn, gid) == 0 &&
              virConnectClose(conn) == 0;
    std::printf("%s header_cxx_links_and_runs\n", ok ? "PASS" : "FAIL");
    return ok ? 0 : 1;
}
