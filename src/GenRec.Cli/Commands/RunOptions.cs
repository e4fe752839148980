using System.CommandLine;
using System.Globalization;
using GenRec.Configuration;

namespace GenRec.Cli.Commands;

/// <summary>
/// The options every command that trains shares (<c>train</c>, <c>bench train</c>, <c>bench rank</c>, <c>bench seeds</c>,
/// <c>tiger train</c>): the config (a file or a built-in name), <c>--set key.path=value</c> overrides, the shorthands
/// <c>--data</c>, <c>--seed</c>, <c>--epochs</c>, <c>--max-minutes</c> and <c>--device</c> (each the same as its
/// <c>--set</c>), the run folder <c>--out</c> and <c>--resume</c>.
/// </summary>
internal sealed class RunOptions
{
    public RunOptions(string outDescription = "Run folder (default runs/<name>)")
    {
        Out = new("--out") { Description = outDescription };
    }

    public Option<string?> Config { get; } = new("--config") { Description = "Run config: a JSON file, or a built-in config by name (quickstart, ml-1m-sasrec, ...); its kind (retrieval, ranking, tiger) picks the trainer" };

    public Option<string[]> Set { get; } = new("--set") { Description = "Override a config value before it is read: key.path=value (snake_case keys as in the file, e.g. train.epochs=5, model.encoder=hstu); repeatable", AllowMultipleArgumentsPerToken = false };

    public Option<string?> Data { get; } = new("--data") { Description = "Dataset file or folder (= --set data.path=...)" };

    public Option<int?> Seed { get; } = new("--seed") { Description = "Random seed (= --set seed=...)" };

    public Option<int?> Epochs { get; } = new("--epochs") { Description = "Number of epochs (= --set train.epochs=...)" };

    public Option<double?> MaxMinutes { get; } = new("--max-minutes") { Description = "Training time budget in minutes (= --set train.max_minutes=...)" };

    public Option<string?> Device { get; } = DeviceOption.Create();

    public Option<string?> Out { get; }

    public Option<bool> Resume { get; } = new("--resume") { Description = "Continue from the run folder's last.ckpt" };

    public Option<string?> InitFrom { get; } = new("--init-from") { Description = "Start from an earlier retrieval checkpoint (same model config, an older log): its weights and known items' rows (= --set train.init_from=...)" };

    public Option<string?> InitText { get; } = new("--init-text") { Description = "With --init-from: item text vectors (.npy, genrec text embed) from which new items' rows start (the content mapping over the known items' rows; = --set train.init_text=...)" };

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { Config, Set, Data, Seed, Epochs, MaxMinutes, Device, Out, Resume, InitFrom, InitText })
        {
            command.Add(option);
        }
    }

    /// <summary>The config file named; null without <c>--config</c> where <paramref name="required"/> is false (the record's defaults).</summary>
    public string? ConfigFile(ParseResult r, bool required = true) =>
        r.GetValue(Config) is { } config ? BundledFiles.Config(config)
        : required ? throw new ArgumentException("--config: give a run config (a JSON file or a built-in name)") : null;

    /// <summary>The overrides: every <c>--set</c>, then the shorthands given.</summary>
    public IReadOnlyList<string> Sets(ParseResult r)
    {
        var sets = new List<string>(r.GetValue(Set) ?? []);
        void Add(string key, string? value)
        {
            if (value is not null)
            {
                sets.Add($"{key}={value}");
            }
        }

        Add("data.path", r.GetValue(Data) is { } d ? System.Text.Json.JsonSerializer.Serialize(d) : null);
        Add("seed", r.GetValue(Seed)?.ToString(CultureInfo.InvariantCulture));
        Add("train.epochs", r.GetValue(Epochs)?.ToString(CultureInfo.InvariantCulture));
        Add("train.max_minutes", r.GetValue(MaxMinutes)?.ToString("R", CultureInfo.InvariantCulture));
        Add("compute.device", r.GetValue(Device) is { } device ? System.Text.Json.JsonSerializer.Serialize(device) : null);
        Add("train.init_from", r.GetValue(InitFrom) is { } from ? System.Text.Json.JsonSerializer.Serialize(from) : null);
        Add("train.init_text", r.GetValue(InitText) is { } text ? System.Text.Json.JsonSerializer.Serialize(text) : null);
        return sets;
    }

    /// <summary>The kind of run the config (with its overrides) describes.</summary>
    public RunKind Kind(ParseResult r, bool required = true) => JsonConfig.KindOf(ConfigFile(r, required), Sets(r));

    /// <summary>The config as <typeparamref name="T"/>, overrides applied, its data read from the tool's bundle where the working folder lacks it.</summary>
    public T Load<T>(ParseResult r, bool required = true)
        where T : IRunConfig
    {
        var run = JsonConfig.Load<T>(ConfigFile(r, required), Sets(r));
        return (T)run.WithDataPath(BundledFiles.DataPath(run.Data.Path));
    }
}
