/* The parts of platform_windows_service.c that its unit test
 * (tests/unit/windows/test_win_service.c) reaches past platform.h. */
#ifndef ES_PLATFORM_WINDOWS_SERVICE_H
#define ES_PLATFORM_WINDOWS_SERVICE_H

#include <stdbool.h>

#include <windows.h>

/* Whether this process may change the system: its token is elevated
 * (GetTokenInformation TokenElevation) and BUILTIN\Administrators counts
 * in it (CheckTokenMembership; under UAC a filtered token holds that
 * group deny-only). Each finding into *elevated and *member when not
 * NULL. */
bool win_admin_check(bool *elevated, bool *member);
/* What to tell a user whose process is not an administrator's, from the
 * two findings of win_admin_check(): a phrase that follows "needs
 * administrator rights: " and says what to do. */
const char *win_admin_advice(bool elevated, bool member);
/* The state plat_service_state() gives for a service's status: "active",
 * "activating", "deactivating", "inactive", "failed" (stopped with an
 * exit code other than 0 and ERROR_SERVICE_NEVER_STARTED), "unknown". */
const char *win_service_state_name(const SERVICE_STATUS_PROCESS *st);

#endif
