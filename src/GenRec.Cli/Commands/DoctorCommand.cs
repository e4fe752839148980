using System.CommandLine;
using GenRec.Compute;
using Spectre.Console;

namespace GenRec.Cli.Commands;

/// <summary><c>genrec doctor</c>: which libtorch this process loaded, its version, CUDA, the devices, and the CPU fast paths.</summary>
internal static class DoctorCommand
{
    public static Command Create()
    {
        var command = new Command("doctor", "Show the libtorch in use (version, file), CUDA and the GPUs, and the CPU fast paths (allocator, MKL kernels, threads, denormals)");
        command.SetAction(_ =>
        {
            var table = new Table().AddColumn("").AddColumn("");
            table.HideHeaders();
            foreach (var (key, value) in LibTorchRuntime.Describe())
            {
                table.AddRow(Markup.Escape(key), Markup.Escape(value));
            }

            AnsiConsole.Write(table);

            // The CPU fast paths: each one's state, and what to do where one is missing.
            var fast = new Table().AddColumn("fast path").AddColumn("state").AddColumn("to do");
            foreach (var check in CpuFastPath.Report())
            {
                fast.AddRow(Markup.Escape(check.Name), Markup.Escape(check.State), check.Advice is null ? "[green]ok[/]" : $"[yellow]{Markup.Escape(check.Advice)}[/]");
            }

            AnsiConsole.Write(fast);
            return 0;
        });
        return command;
    }
}
