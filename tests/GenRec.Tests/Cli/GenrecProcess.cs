using System.Diagnostics;

namespace GenRec.Tests.Cli;

/// <summary>Runs the built <c>genrec</c> (GenRec.Cli.dll) in its own process, as a user starts it, from a given working folder.</summary>
internal static class GenrecProcess
{
    /// <summary>Runs to the end; asserts a zero exit code and returns standard output and error together.</summary>
    public static async Task<string> Run(string workingFolder, string cache, params string[] arguments)
    {
        var (exitCode, text) = await RunToEnd(workingFolder, cache, arguments);
        Assert.True(exitCode == 0, $"genrec {string.Join(' ', arguments)}: exit {exitCode}: {text}");
        return text;
    }

    /// <summary>Runs to the end; the exit code, and standard output and error together.</summary>
    public static async Task<(int ExitCode, string Output)> RunToEnd(string workingFolder, string cache, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = workingFolder, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { Path.Combine(AppContext.BaseDirectory, "GenRec.Cli.dll") }.Concat(arguments))
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["GENREC_CACHE"] = cache;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(180));
        return (process.ExitCode, await output + await errors);
    }
}
