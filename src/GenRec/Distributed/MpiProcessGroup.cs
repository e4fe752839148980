using System.Runtime.InteropServices;

namespace GenRec.Distributed;

/// <summary>
/// MPI's world as a <see cref="IProcessGroup"/>: a thin binding to Open MPI's <c>libmpi.so.40</c> (Debian's
/// <c>openmpi-bin</c>), loaded with <see cref="NativeLibrary"/> when a run starts under <c>mpirun</c>, so GenRec builds
/// and runs as before where MPI is absent. Six calls: <c>MPI_Init_thread</c> (funneled: every call from the thread
/// that initialised), <c>MPI_Comm_rank</c>/<c>_size</c>, <c>MPI_Allreduce</c> (in place, sum), <c>MPI_Bcast</c>,
/// <c>MPI_Finalize</c>. Open MPI's handles are the addresses of its exported
/// globals (<c>MPI_COMM_WORLD</c> is <c>&amp;ompi_mpi_comm_world</c>, <c>MPI_FLOAT</c> <c>&amp;ompi_mpi_float</c>, ...), so
/// no C shim is compiled. MPICH's integer handles are another ABI: refused with a clear error for now.
/// <para>
/// Open MPI's own handlers for SIGSEGV, SIGBUS, SIGFPE and SIGABRT are turned off before it starts
/// (<c>OMPI_MCA_opal_signal</c> empty): .NET turns SIGSEGV into NullReferenceException, which those handlers would
/// end as a crash. Errors are MPI's default, fatal to the whole job: a rank that dies makes <c>mpirun</c> end the others instead of leaving them waiting in a collective.
/// </para>
/// </summary>
internal sealed unsafe class MpiProcessGroup : IProcessGroup, IDisposable
{
    private const int ThreadFunneled = 1;                                                   // MPI_THREAD_FUNNELED (Open MPI and MPICH)
    private static readonly nint InPlace = 1;                                               // Open MPI's MPI_IN_PLACE

    private readonly nint world, floatType, doubleType, sum;
    private readonly delegate* unmanaged<nint, nint, int, int*, int> initThread;
    private readonly delegate* unmanaged<int> finalize;
    private readonly delegate* unmanaged<nint, int*, int> commRank;
    private readonly delegate* unmanaged<nint, int*, int> commSize;
    private readonly delegate* unmanaged<nint, void*, int, nint, nint, nint, int> allreduce;
    private readonly delegate* unmanaged<void*, int, nint, int, nint, int> bcast;
    private readonly int thread;
    private bool finalized;

    private MpiProcessGroup(nint library, string version)
    {
        world = NativeLibrary.GetExport(library, "ompi_mpi_comm_world");
        floatType = NativeLibrary.GetExport(library, "ompi_mpi_float");
        doubleType = NativeLibrary.GetExport(library, "ompi_mpi_double");
        sum = NativeLibrary.GetExport(library, "ompi_mpi_op_sum");
        initThread = (delegate* unmanaged<nint, nint, int, int*, int>)NativeLibrary.GetExport(library, "MPI_Init_thread");
        finalize = (delegate* unmanaged<int>)NativeLibrary.GetExport(library, "MPI_Finalize");
        commRank = (delegate* unmanaged<nint, int*, int>)NativeLibrary.GetExport(library, "MPI_Comm_rank");
        commSize = (delegate* unmanaged<nint, int*, int>)NativeLibrary.GetExport(library, "MPI_Comm_size");
        allreduce = (delegate* unmanaged<nint, void*, int, nint, nint, nint, int>)NativeLibrary.GetExport(library, "MPI_Allreduce");
        bcast = (delegate* unmanaged<void*, int, nint, int, nint, int>)NativeLibrary.GetExport(library, "MPI_Bcast");

        int provided, rank, size;
        Check(initThread(0, 0, ThreadFunneled, &provided), "MPI_Init_thread");
        if (provided < ThreadFunneled)
        {
            throw new InvalidOperationException($"MPI gives thread level {provided}; GenRec needs MPI_THREAD_FUNNELED ({ThreadFunneled})");
        }

        Check(commRank(world, &rank), "MPI_Comm_rank");
        Check(commSize(world, &size), "MPI_Comm_size");
        (Rank, Size, thread) = (rank, size, Environment.CurrentManagedThreadId);
        Description = $"{version}, {size} ranks";
    }

    public int Rank { get; }

    public int Size { get; }

    public string Description { get; }

    /// <summary>Whether this process was started by <c>mpirun</c>/<c>mpiexec</c> (Open MPI, or a PMI launcher).</summary>
    public static bool LaunchedByMpi =>
        Environment.GetEnvironmentVariable("OMPI_COMM_WORLD_SIZE") is not null || Environment.GetEnvironmentVariable("PMIX_RANK") is not null
        || Environment.GetEnvironmentVariable("PMI_SIZE") is not null;

    /// <summary>This process's rank among the ranks on its machine, from the launcher's environment (null: not under mpirun).</summary>
    public static int? LocalRank =>
        new[] { "OMPI_COMM_WORLD_LOCAL_RANK", "MPI_LOCALRANKID", "PMI_LOCAL_RANK" }
            .Select(Environment.GetEnvironmentVariable)
            .FirstOrDefault(v => v is not null) is { } text && int.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out var rank) ? rank : null;

    /// <summary>Starts MPI in this process (call once, from the thread that trains).</summary>
    /// <exception cref="InvalidOperationException">No Open MPI library, or MPICH's (another ABI), or MPI failed to start.</exception>
    public static MpiProcessGroup Start()
    {
        if (!NativeLibrary.TryLoad("libmpi.so.40", out var library))
        {
            throw new InvalidOperationException(NativeLibrary.TryLoad("libmpi.so.12", out _)
                ? "this process runs under MPI, but the MPI library is MPICH's (libmpi.so.12), whose handles are another ABI; GenRec binds Open MPI (libmpi.so.40, Debian's openmpi-bin)"
                : "this process runs under MPI, but Open MPI's libmpi.so.40 is not found (Debian: apt-get install openmpi-bin)");
        }

        // Before MPI starts: no Open MPI handler for the signals .NET itself handles.
        _ = setenv("OMPI_MCA_opal_signal", "", 1);
        var version = "Open MPI";
        if (NativeLibrary.TryGetExport(library, "MPI_Get_library_version", out var getVersion))
        {
            var text = new byte[256];                                                        // MPI_MAX_LIBRARY_VERSION_STRING (Open MPI)
            int length;
            fixed (byte* buffer = text)
            {
                if (((delegate* unmanaged<byte*, int*, int>)getVersion)(buffer, &length) == 0)
                {
                    var full = System.Text.Encoding.ASCII.GetString(text, 0, Math.Clamp(length, 0, text.Length)).TrimEnd('\0', '\n', ' ');
                    version = full.Split(',')[0];
                }
            }
        }

        return new MpiProcessGroup(library, version);
    }

    public void AllReduceSum(Span<float> values)
    {
        OnThread("MPI_Allreduce");
        fixed (float* buffer = values)
        {
            Check(allreduce(InPlace, buffer, values.Length, floatType, sum, world), "MPI_Allreduce");
        }
    }

    public void AllReduceSum(Span<double> values)
    {
        OnThread("MPI_Allreduce");
        fixed (double* buffer = values)
        {
            Check(allreduce(InPlace, buffer, values.Length, doubleType, sum, world), "MPI_Allreduce");
        }
    }

    public void Broadcast(Span<float> values, int root = 0)
    {
        CheckRoot(root);
        fixed (float* buffer = values)
        {
            Check(bcast(buffer, values.Length, floatType, root, world), "MPI_Bcast");
        }
    }

    public void Broadcast(Span<double> values, int root = 0)
    {
        CheckRoot(root);
        fixed (double* buffer = values)
        {
            Check(bcast(buffer, values.Length, doubleType, root, world), "MPI_Bcast");
        }
    }

    public void Dispose()
    {
        if (!finalized)
        {
            finalized = true;
            OnThread("MPI_Finalize");
            _ = finalize();
        }
    }

    [DllImport("libc", CharSet = CharSet.Ansi)]
    private static extern int setenv(string name, string value, int overwrite);

    private static void Check(int code, string call)
    {
        if (code != 0)
        {
            throw new InvalidOperationException($"{call} failed with MPI error {code}");
        }
    }

    private void OnThread(string call)
    {
        if (Environment.CurrentManagedThreadId != thread)
        {
            throw new InvalidOperationException($"{call} from another thread than the one that started MPI (funneled: all calls from that thread)");
        }
    }

    private void CheckRoot(int root)
    {
        OnThread("MPI_Bcast");
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)root, (uint)Size, nameof(root));
    }
}
