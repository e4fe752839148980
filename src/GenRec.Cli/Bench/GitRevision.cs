using System.Diagnostics;

namespace GenRec.Cli.Bench;

internal static class GitRevision
{
    public static string Current()
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
