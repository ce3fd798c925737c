/* Every integer constant our header shares with libvirt's installed headers (enum constants
 * and #define'd numbers: libvirt 9.0 has 801 of them in common with us) has libvirt's value.
 * The assertions are generated at build time by ctests/gen_abi.py into abi_asserts.h, so a
 * mismatch fails the build; without libvirt-dev the test says SKIP and passes. */
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <stdio.h>

#include "abi_asserts.h"

int main(void)
{
#ifdef ABI_SKIP
    printf("SKIP test_abi: %s\n", ABI_SKIP);
#else
    printf("PASS abi_constants_match_libvirt (%d shared with libvirt %s: %d enum constants, %d macros;"
           " %d of libvirt's not declared here, %d virtevent extensions)\n",
           ABI_SHARED_CONSTANTS, ABI_LIBVIRT_VERSION, ABI_SHARED_ENUM_CONSTANTS, ABI_SHARED_MACROS, ABI_LIBVIRT_ONLY,
           ABI_OURS_ONLY);
#endif
    return 0;
}
