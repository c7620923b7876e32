/* The sample payload's Windows service program (nse/nseserv.exe,
 * nsc/nscsvc.exe): a real service that the Service Control Manager starts
 * and stops, so that the installer's service steps can be tried end to
 * end. It does nothing but wait to be stopped. Run from a console rather
 * than by the SCM, it says what it is and exits 0.
 *
 * Win32 only; built static by the Windows build:
 *   x86_64-w64-mingw32-gcc -static -municode -O2 -o nseserv.exe \
 *     sample_service.c */
#include <stdio.h>
#include <wchar.h>

#include <windows.h>

static SERVICE_STATUS_HANDLE status_handle;
static SERVICE_STATUS status;
static HANDLE stop_event;

/* Tell the SCM where the service is (SetServiceStatus). */
static void
report(DWORD state, DWORD exit_code, DWORD wait_hint)
{
	static DWORD checkpoint = 1;

	status.dwServiceType = SERVICE_WIN32_OWN_PROCESS;
	status.dwCurrentState = state;
	status.dwWin32ExitCode = exit_code;
	status.dwWaitHint = wait_hint;
	status.dwControlsAccepted = state == SERVICE_START_PENDING ? 0 :
	    SERVICE_ACCEPT_STOP | SERVICE_ACCEPT_SHUTDOWN;
	status.dwCheckPoint = state == SERVICE_RUNNING ||
	    state == SERVICE_STOPPED ? 0 : checkpoint++;
	SetServiceStatus(status_handle, &status);
}

static DWORD WINAPI
control(DWORD code, DWORD type, void *data, void *ctx)
{
	(void)type;
	(void)data;
	(void)ctx;
	switch (code) {
	case SERVICE_CONTROL_STOP:
	case SERVICE_CONTROL_SHUTDOWN:
		report(SERVICE_STOP_PENDING, NO_ERROR, 3000);
		SetEvent(stop_event);
		return NO_ERROR;
	case SERVICE_CONTROL_INTERROGATE:
		return NO_ERROR;
	default:
		return ERROR_CALL_NOT_IMPLEMENTED;
	}
}

static void WINAPI
service_main(DWORD argc, wchar_t **argv)
{
	(void)argc;
	status_handle = RegisterServiceCtrlHandlerExW(argv[0], control, NULL);
	if (status_handle == NULL)
		return;
	report(SERVICE_START_PENDING, NO_ERROR, 3000);
	stop_event = CreateEventW(NULL, TRUE, FALSE, NULL);
	if (stop_event == NULL) {
		report(SERVICE_STOPPED, GetLastError(), 0);
		return;
	}
	report(SERVICE_RUNNING, NO_ERROR, 0);
	WaitForSingleObject(stop_event, INFINITE);
	CloseHandle(stop_event);
	report(SERVICE_STOPPED, NO_ERROR, 0);
}

int
wmain(int argc, wchar_t **argv)
{
	/* SERVICE_WIN32_OWN_PROCESS: the name in the table is not used. */
	SERVICE_TABLE_ENTRYW table[] = {
		{ (wchar_t *)L"", service_main },
		{ NULL, NULL }
	};

	(void)argc;
	if (StartServiceCtrlDispatcherW(table))
		return 0;
	if (GetLastError() == ERROR_FAILED_SERVICE_CONTROLLER_CONNECT) {
		wprintf(L"%ls: the sample Scan Engine service of "
		    L"engine-setup's test payload. It runs only when the "
		    L"Service Control Manager starts it (sc start NAME); it "
		    L"does nothing but wait to be stopped.\n", argv[0]);
		return 0;
	}
	fwprintf(stderr, L"%ls: cannot connect to the Service Control "
	    L"Manager: error %lu.\n", argv[0], (unsigned long)GetLastError());
	return 1;
}
