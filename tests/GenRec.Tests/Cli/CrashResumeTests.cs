using System.Diagnostics;
using System.Text.Json.Nodes;

namespace GenRec.Tests.Cli;

/// <summary>
/// Crash safety of training as a user meets it: <c>genrec train --resume</c> killed with SIGKILL at seeded random moments
/// (while starting, during steps, while validating, while writing checkpoints and the log), restarted each time, reaches
/// exactly the test metrics of an uninterrupted run with the same seed (CPU, one thread).
/// </summary>
public class CrashResumeTests
{
    private const int Kills = 20;

    private static string Fixture(TempDir dir)
    {
        CycleRatings.Write(dir, seed: 3, minLength: 12, extra: 10);
        return dir.File("config.json", """
            { "name": "crash", "seed": 11,
              "data": { "path": "data", "split": "leave_one_out" },
              "model": { "encoder": "sasrec", "embedding_dim": 16, "max_sequence_length": 16, "num_blocks": 1, "num_heads": 1, "ffn_hidden_dim": 16, "dropout": 0.1 },
              "train": { "batch_size": 16, "epochs": 8, "learning_rate": 0.005, "num_negatives": 16, "temperature": 0.1, "eval_every": 1, "patience": 0 } }
            """);
    }

    private static Process Train(TempDir dir, string config, string output)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = dir.Path, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { Path.Combine(AppContext.BaseDirectory, "GenRec.Cli.dll"), "train", "--config", config, "--out", output, "--resume" })
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["GENREC_THREADS"] = "1";
        start.Environment["GENREC_CACHE"] = Path.Combine(dir.Path, "cache");
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static string TestMetrics(string run) => JsonNode.Parse(File.ReadAllText(Path.Combine(run, "result.json")))!["test"]!.ToJsonString();

    [Fact]
    public void TwentyKillsAtRandomMomentsStillReachTheUninterruptedMetricsExactly()
    {
        using var dir = new TempDir();
        var config = Fixture(dir);
        var straight = Path.Combine(dir.Path, "straight");
        using (var run = Train(dir, config, straight))
        {
            Assert.True(run.WaitForExit(180_000), "the uninterrupted run did not finish in 3 minutes");
            Assert.Equal(0, run.ExitCode);
        }

        var clock = Stopwatch.StartNew();
        using (var timing = Train(dir, config, Path.Combine(dir.Path, "timing")))
        {
            timing.WaitForExit(180_000);
        }

        var runSeconds = clock.Elapsed.TotalSeconds;                                    // a whole run, start to end

        var killed = Path.Combine(dir.Path, "killed");
        var random = new Random(42);
        var kills = 0;
        for (var attempt = 0; kills < Kills && attempt < 3 * Kills; attempt++)
        {
            using var run = Train(dir, config, killed);
            // Anywhere from the process's start to past its last epoch: start-up, steps, validation, checkpoint writes.
            var delay = TimeSpan.FromSeconds(random.NextDouble() * runSeconds * 0.6);
            if (run.WaitForExit(delay))
            {
                // It finished before the kill: start over so the remaining kills land in a run again.
                Assert.Equal(0, run.ExitCode);
                Directory.Delete(killed, recursive: true);
                continue;
            }

            run.Kill();                                                                  // SIGKILL
            run.WaitForExit();
            kills++;
        }

        Assert.Equal(Kills, kills);
        using (var last = Train(dir, config, killed))
        {
            Assert.True(last.WaitForExit(180_000), "the final resume did not finish in 3 minutes");
            Assert.Equal(0, last.ExitCode);
        }

        Assert.Equal(TestMetrics(straight), TestMetrics(killed));
        var epochs = File.ReadAllLines(Path.Combine(killed, "metrics.jsonl")).Select(l => JsonNode.Parse(l)!["epoch"]!.GetValue<int>()).ToArray();
        Assert.Equal(Enumerable.Range(1, 8), epochs);                                   // one record per epoch, none twice
    }
}
