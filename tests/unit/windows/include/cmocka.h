/* <cmocka.h> for the Windows unit tests (cmake/windows.cmake puts this
 * folder first). cmocka declares print_error() and the like with
 * format(printf), which mingw-w64's GCC checks as the Microsoft C
 * runtime's formats (no %zu or %llu). engine-setup and cmocka are built
 * with mingw-w64's C99 printf instead (__USE_MINGW_ANSI_STDIO=1;
 * scripts/deps builds cmocka so), so the checks are made gnu_printf's. */
#ifndef ES_WIN_CMOCKA_H
#define ES_WIN_CMOCKA_H

#define __printf__ __gnu_printf__
#include_next <cmocka.h>
#undef __printf__

#endif
