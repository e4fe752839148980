using System.Diagnostics;

namespace GenRec.Cli.Bench;

internal static class GitRevision
{
    /// <summary>
    /// The revision of the code that runs: the commit this binary was built from (its informational version) when that
    /// is not the work tree's HEAD (a copied build run for a comparison), else HEAD, "-dirty" with uncommitted code changes.
    /// </summary>
    public static string Current()
    {
        var head = Head();
        var built = typeof(GitRevision).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
            .OfType<System.Reflection.AssemblyInformationalVersionAttribute>().FirstOrDefault()?.InformationalVersion.Split('+') is [_, var sha, ..] && sha.Length >= 12
            ? sha[..12] : null;
        return built is null || head.StartsWith(built, StringComparison.Ordinal) ? head : built;
    }

    private static string Head()
    {
        try
        {
            using var git = Process.Start(new ProcessStartInfo("git", "rev-parse --short=12 HEAD") { RedirectStandardOutput = true, RedirectStandardError = true });
            if (git is null)
            {
                return "unknown";
            }

            var rev = git.StandardOutput.ReadToEnd().Trim();
            git.WaitForExit();
            if (git.ExitCode != 0 || rev.Length == 0)
            {
                return "unknown";
            }

            // Tracked changes outside bench/results: results that earlier benchmarks wrote are no code change.
            using var status = Process.Start(new ProcessStartInfo("git", "status --porcelain --untracked-files=no -- :(top) :(top,exclude)bench/results") { RedirectStandardOutput = true });
            var dirty = status?.StandardOutput.ReadToEnd().Trim().Length > 0;
            status?.WaitForExit();
            return dirty ? rev + "-dirty" : rev;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "unknown";
        }
    }
}
