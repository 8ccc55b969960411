using System.Runtime.InteropServices;

namespace DockPS.Engine.Native;

/// <summary>Signals to processes by PID.</summary>
internal static partial class Processes
{
    /// <summary>kill(2); 0 on success, else the errno (3 = ESRCH: no such process).</summary>
    public static int Kill(int pid, int signal) => KillCall(pid, signal) == 0 ? 0 : Marshal.GetLastPInvokeError();

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int KillCall(int pid, int signal);
}
