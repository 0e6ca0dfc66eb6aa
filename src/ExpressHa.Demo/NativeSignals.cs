using System.Runtime.InteropServices;

namespace ExpressHa.Demo;

/// <summary>SIGTERM and SIGSTOP/SIGCONT for processes the demo and tests start (Process.Kill only sends SIGKILL).</summary>
public static class NativeSignals
{
    const int SigTerm = 15, SigStop = 19, SigCont = 18;

    [DllImport("libc", SetLastError = true)]
    static extern int kill(int pid, int sig);

    public static bool Terminate(int pid) => kill(pid, SigTerm) == 0;
    public static bool Pause(int pid) => kill(pid, SigStop) == 0;
    public static bool Continue(int pid) => kill(pid, SigCont) == 0;
}
