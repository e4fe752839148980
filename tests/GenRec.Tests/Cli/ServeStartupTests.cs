using GenRec.Configuration;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using GenRec.Data;
using GenRec.AspNetCore;
using GenRec.Models;
using GenRec.Training;
using static TorchSharp.torch;

namespace GenRec.Tests.Cli;

/// <summary>
/// <c>genrec serve</c> at start-up validates what it serves as a reload does: a remembered (last reloaded) model that is
/// gone or invalid is not served; the service falls back to <c>--checkpoint</c> with a warning instead of failing.
/// </summary>
public class ServeStartupTests
{
    private static string Checkpoint(TempDir dir, string name, int seed, Action<SequentialRecommender>? damage = null)
    {
        var data = Path.Combine(dir.Path, "data");
        if (!Directory.Exists(data))
        {
            var random = new Random(3);
            dir.File("data/ratings.dat", string.Concat(Enumerable.Range(1, 60).SelectMany(u => Enumerable.Range(0, 8).Select(t => $"{u}::{1 + random.Next(25)}::4::{(u * 100) + t}\n"))));
        }

        var items = DatasetLoader.Load(new DatasetRequest(data) { CacheDir = Path.Combine(dir.Path, "cache") }).NumItems;
        manual_seed(seed);
        var config = GenRec.Tests.Training.TrainingTests.SmallRun(1) with { Data = new DataConfig { Path = data } };
        using var model = new SequentialRecommender(config.Model, items);
        damage?.Invoke(model);
        var path = Path.Combine(dir.Path, "models", name);
        GenRec.Checkpoints.RetrievalCheckpoint.Save(path, config, model, null, new TrainingState());
        return path;
    }

    private static async Task<(JsonElement Health, string Output)> StartAndAskHealth(TempDir dir, string checkpoint)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = dir.Path, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { Path.Combine(AppContext.BaseDirectory, "GenRec.Cli.dll"), "serve", "--checkpoint", checkpoint, "--port", "0" })
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["GENREC_CACHE"] = Path.Combine(dir.Path, "cache");
        using var process = Process.Start(start)!;
        var output = new System.Text.StringBuilder();
        var address = new TaskCompletionSource<Uri>();
        void Read(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (output)
            {
                output.AppendLine(line);
            }

            if (System.Text.RegularExpressions.Regex.Match(line, @"http://127\.0\.0\.1:\d+/") is { Success: true } m)
            {
                address.TrySetResult(new Uri(m.Value));
            }
        }

        process.OutputDataReceived += (_, e) => Read(e.Data);
        process.ErrorDataReceived += (_, e) => Read(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            var uri = await address.Task.WaitAsync(TimeSpan.FromSeconds(90));
            using var client = new HttpClient { BaseAddress = uri };
            var health = await client.GetFromJsonAsync<JsonElement>("/health");
            lock (output)
            {
                return (health, output.ToString());
            }
        }
        finally
        {
            process.Kill();
            await process.WaitForExitAsync();
        }
    }

    [Theory]
    [InlineData("deleted")]
    [InlineData("nan")]
    public async Task ARememberedModelThatIsGoneOrInvalidFallsBackToTheCheckpointWithAWarning(string remembered)
    {
        using var dir = new TempDir();
        var started = Checkpoint(dir, "a.ckpt", seed: 1);
        var last = Checkpoint(dir, "b.ckpt", seed: 2, model =>
        {
            using var _ = no_grad();
            model.parameters().First().view(-1)[0].fill_(float.NaN);
        });
        if (remembered == "deleted")
        {
            File.Delete(last);
        }

        // The state file a reload to b.ckpt left, beside the models (the model root is the folder above a.ckpt's).
        new ServedModelState(Path.GetFullPath(started), last, null, 2, DateTimeOffset.UnixEpoch).Write(Path.Combine(dir.Path, ".genrec-serve.json"));
        var (health, output) = await StartAndAskHealth(dir, started);
        Assert.Equal(Path.GetFullPath(started), health.GetProperty("model").GetString());
        Assert.Contains("is missing or invalid", output);
        Assert.Contains("b.ckpt", output);
        if (remembered == "nan")
        {
            Assert.Contains("NaN", output);
        }
    }
}
