using System.Runtime.InteropServices;
using System.Text;

namespace GenRec;

/// <summary>
/// Restarts the process once, in place (<c>execve</c>: same process id, arguments, standard streams and environment),
/// with jemalloc preloaded, the one fast path that cannot be set up in process: the allocator is chosen before
/// <c>Main</c> runs. Call it as the first line of <c>Main</c> of a program that trains or serves with GenRec:
/// <code>GenRec.JemallocRelaunch.IfAvailable();</code>
/// The <c>genrec</c> command does. It returns at once, doing nothing, where jemalloc already serves the process, where
/// <c>GENREC_NO_JEMALLOC</c> is set, where this process was relaunched once already (the guard: <c>GENREC_RELAUNCHED</c>
/// holds the process id that relaunched), where no <c>libjemalloc.so.2</c> is installed (Debian/Ubuntu:
/// <c>apt-get install libjemalloc2</c>) or off Linux. jemalloc runs with its decay off (<c>MALLOC_CONF</c>, unless set):
/// GenRec's loops hand memory back themselves. Without it GenRec still tunes glibc's allocator in process.
/// </summary>
public static class JemallocRelaunch
{
    /// <summary>Set (to anything) to stay on glibc's allocator.</summary>
    public const string DisableVariable = "GENREC_NO_JEMALLOC";

    internal const string MarkerVariable = "GENREC_RELAUNCHED";
    internal const string DecayOff = "dirty_decay_ms:-1,muzzy_decay_ms:-1";

    // Where distributions install libjemalloc2 (Debian/Ubuntu multiarch, Fedora/RHEL lib64, others).
    private static readonly string[] Folders = ["/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/lib/x86_64-linux-gnu", "/usr/lib64", "/usr/lib", "/usr/local/lib"];

    /// <summary>Relaunches this process under jemalloc when that applies (see the type); otherwise returns.</summary>
    public static void IfAvailable()
    {
        var library = Library();
        if (SkipReason(Environment.GetEnvironmentVariable, Compute.NativeAllocator.Current() == Compute.NativeAllocator.Kind.Jemalloc, Environment.ProcessId, library) is not null)
        {
            return;
        }

        string[] arguments;
        try
        {
            arguments = File.ReadAllText("/proc/self/cmdline", Encoding.UTF8).TrimEnd('\0').Split('\0');
        }
        catch (IOException)
        {
            return;
        }

        var environment = RelaunchEnvironment(Environment.GetEnvironmentVariables(), library!, Environment.ProcessId);
        Execute(Environment.ProcessPath ?? "/proc/self/exe", arguments, environment);
        // execve returned: it failed (the file vanished, a seccomp policy). Carry on here, on glibc's allocator.
    }

    /// <summary>The installed <c>libjemalloc.so.2</c> (the first of the usual folders that has it), or null.</summary>
    internal static string? Library() => Folders.Select(f => Path.Combine(f, "libjemalloc.so.2")).FirstOrDefault(File.Exists);

    /// <summary>
    /// Why not to relaunch (null: relaunch): the loop guard and the switches, as a pure function of the environment,
    /// whether jemalloc already serves the process, its id, and the jemalloc library found.
    /// </summary>
    internal static string? SkipReason(Func<string, string?> environment, bool jemallocLoaded, int processId, string? library)
    {
        if (!OperatingSystem.IsLinux())
        {
            return "not Linux";
        }

        if (jemallocLoaded)
        {
            return "jemalloc already serves this process";
        }

        if (environment(DisableVariable) is { Length: > 0 })
        {
            return $"{DisableVariable} is set";
        }

        if (environment(MarkerVariable) == processId.ToString(System.Globalization.CultureInfo.InvariantCulture))
        {
            return $"relaunched once already and jemalloc did not load (is {library ?? "libjemalloc.so.2"} loadable? LD_PRELOAD errors are printed by the loader)";
        }

        return library is null ? "no libjemalloc.so.2 installed (Debian/Ubuntu: apt-get install libjemalloc2)" : null;
    }

    /// <summary>The relaunched process's environment: this one with jemalloc first in LD_PRELOAD, its decay off, and the guard.</summary>
    internal static SortedDictionary<string, string> RelaunchEnvironment(System.Collections.IDictionary current, string library, int processId)
    {
        var environment = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (System.Collections.DictionaryEntry entry in current)
        {
            environment[(string)entry.Key] = (string?)entry.Value ?? "";
        }

        environment["LD_PRELOAD"] = environment.TryGetValue("LD_PRELOAD", out var preload) && preload.Length > 0 ? $"{library}:{preload}" : library;
        environment.TryAdd("MALLOC_CONF", DecayOff);
        environment[MarkerVariable] = processId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return environment;
    }

    private static void Execute(string path, string[] arguments, SortedDictionary<string, string> environment)
    {
        var argv = NullTerminated(arguments);
        var envp = NullTerminated(environment.Select(e => $"{e.Key}={e.Value}"));
        try
        {
            Execve(path, argv, envp);
        }
        finally
        {
            Free(argv);
            Free(envp);
        }
    }

    private static IntPtr[] NullTerminated(IEnumerable<string> strings) =>
        [.. strings.Select(s => Marshal.StringToCoTaskMemUTF8(s)), IntPtr.Zero];

    private static void Free(IntPtr[] pointers)
    {
        foreach (var p in pointers)
        {
            Marshal.FreeCoTaskMem(p);
        }
    }

    [DllImport("libc", EntryPoint = "execve", SetLastError = true)]
    private static extern int Execve([MarshalAs(UnmanagedType.LPUTF8Str)] string path, IntPtr[] argv, IntPtr[] envp);
}
