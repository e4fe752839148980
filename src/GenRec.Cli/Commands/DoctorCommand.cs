using System.CommandLine;
using GenRec.Compute;
using Spectre.Console;

namespace GenRec.Cli.Commands;

/// <summary><c>genrec doctor</c>: which libtorch this process loaded, its version, CUDA, and the devices.</summary>
internal static class DoctorCommand
{
    public static Command Create()
    {
        var command = new Command("doctor", "Show the libtorch in use (version, file), whether CUDA is available, and the GPUs");
        command.SetAction(_ =>
        {
            var table = new Table().AddColumn("").AddColumn("");
            table.HideHeaders();
            foreach (var (key, value) in LibTorchRuntime.Describe())
            {
                table.AddRow(Markup.Escape(key), Markup.Escape(value));
            }

            AnsiConsole.Write(table);
            return 0;
        });
        return command;
    }
}
