using System.CommandLine;
using GenRec.Configuration;

namespace GenRec.Cli.Commands;

/// <summary>
/// What <c>genrec</c> does when <c>mpirun</c> starts it: the training commands train one model over the ranks (data
/// parallel); anything else would run once per rank, each writing the same files or binding the same port, so it is
/// refused before it starts.
/// </summary>
internal static class DataParallelLaunch
{
    /// <summary>The commands that run data parallel (and <c>doctor</c>, which only reads).</summary>
    public static readonly string[] Commands = ["train", "tiger train", "bench train", "bench seeds", "doctor"];

    /// <summary>Refuses, under <c>mpirun</c>, a command that does not train data parallel.</summary>
    public static void Check(ParseResult parsed)
    {
        if (!Distributed.MpiProcessGroup.LaunchedByMpi || parsed.Errors.Count > 0)
        {
            return;
        }

        var names = new List<string>();
        for (var result = parsed.CommandResult; result.Parent is System.CommandLine.Parsing.CommandResult parent; result = parent)
        {
            names.Insert(0, result.Command.Name);                                              // the root (genrec) left out
        }

        var name = string.Join(' ', names);
        if (names.Count > 0 && !Commands.Contains(name))
        {
            throw new ArgumentException($"under mpirun, genrec runs data-parallel training ({string.Join(", ", Commands.SkipLast(1))}); 'genrec {name}' runs in one process: start it without mpirun");
        }
    }

    /// <summary>Under <c>mpirun</c>, refuses a run kind that does not train data parallel (it would train once per rank, each writing the run folder).</summary>
    public static void RequireKind(RunKind kind)
    {
        if (Distributed.MpiProcessGroup.LaunchedByMpi && kind is not (RunKind.Retrieval or RunKind.Tiger))
        {
            throw new ArgumentException("under mpirun, genrec trains retrieval and TIGER runs (data parallel); ranking runs train in one process for now");
        }
    }
}
