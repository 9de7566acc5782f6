#include "berth_security.h"

#include <stddef.h>

int berth_child_security(const struct berth_security *sec, int32_t *step) {
    /* The security issue adds, in this order (runc's): capabilities (bounding, then
     * effective/permitted/inheritable; setuid above then needs PR_SET_KEEPCAPS), then
     * prctl(PR_SET_NO_NEW_PRIVS), then seccomp(SECCOMP_SET_MODE_FILTER) last, so the
     * filter does not have to allow the calls made here. */
    (void)sec;
    (void)step;
    return 0;
}
