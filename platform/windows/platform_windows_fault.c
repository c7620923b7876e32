/* The executor's ES_TEST_FAULT hooks (platform.h, plat_fault_stop and
 * plat_fault_crash) on Windows, which has no SIGSTOP or SIGKILL. */
#include <windows.h>

#include "platform.h"

/* The thread that reaches the fault stops there until another resumes it
 * (ResumeThread); the process's other threads go on. */
void
plat_fault_stop(void)
{
	SuspendThread(GetCurrentThread());
}

/* As abrupt as SIGKILL: no atexit handlers, no buffers flushed. Exit code
 * 137, what a shell reports for a process killed by SIGKILL. */
void
plat_fault_crash(void)
{
	TerminateProcess(GetCurrentProcess(), 137);
	for (;;)
		Sleep(INFINITE);
}
