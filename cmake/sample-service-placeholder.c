/* Stands in for tools/sample-service/sample_service.c (the Windows sample
 * service) until that file exists: cmake/windows.cmake builds this one
 * instead and warns. It is no service: it says so and exits 1. */
#include <stdio.h>
#include <wchar.h>

int wmain(int argc, wchar_t **argv);

int
wmain(int argc, wchar_t **argv)
{
	(void)argc;
	(void)argv;
	fputs("sample service placeholder: tools/sample-service/"
	    "sample_service.c is not in this build.\n", stderr);
	return 1;
}
