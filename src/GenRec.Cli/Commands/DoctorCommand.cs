using System.CommandLine;
using GenRec.Compute;
using Spectre.Console;

namespace GenRec.Cli.Commands;

/// <summary><c>genrec doctor</c>: which libtorch this process loaded, its version, CUDA, the devices, and the CPU fast paths.</summary>
internal static class DoctorCommand
{
    public static Command Create()
    {
        var nccl = new Option<bool>("--nccl") { Description = "Also check NCCL on the first GPU as a rank of one (found, a communicator made, a 25 MB sum on the device read back, its time): what data-parallel training on GPUs needs" };
        var command = new Command("doctor", "Show the libtorch in use (version, file), CUDA and the GPUs, and the CPU fast paths (allocator, MKL kernels, threads, denormals)") { nccl };
        command.SetAction(r =>
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
            if (r.GetValue(nccl))
            {
                var check = GenRec.Distributed.NcclSelfCheck.Run(ComputeDevice.Resolve("cuda:0"));
                AnsiConsole.MarkupLine(Markup.Escape($"NCCL {check.Version} on {check.Device}: a rank of one, {check.Elements:N0} floats summed and broadcast in device memory, "
                    + $"{(check.Unchanged ? "read back unchanged" : "READ BACK CHANGED")}; {check.AllReduceMs:F3} ms a sum"));
                return check.Unchanged ? 0 : 1;
            }

            return 0;
        });
        return command;
    }
}
