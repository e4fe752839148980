using GenRec.Configuration;
using GenRec.Util;
using System.CommandLine;
using GenRec.AspNetCore;
using GenRec.Cli.Terminal;
using GenRec.Data;
using GenRec.Serving;
using Microsoft.Extensions.Logging;
using Spectre.Console;

namespace GenRec.Cli.Commands;

/// <summary><c>genrec serve</c>: the HTTP recommendation service on a trained retrieval checkpoint.</summary>
internal static class ServeCommand
{
    /// <summary>Environment variable holding the admin token when no token file is given.</summary>
    public const string TokenVariable = "GENREC_ADMIN_TOKEN";

    public static Command Create()
    {
        var checkpoint = new Option<string>("--checkpoint") { Description = "Model checkpoint (.ckpt), e.g. runs/quickstart/best.ckpt; a TIGER run's best.ckpt (beside its config.json) is served by trie-constrained beam search", Required = true };
        var host = new Option<string>("--host") { Description = "Address to bind: an IP address or localhost (loopback by default; 0.0.0.0 or :: for every interface)", DefaultValueFactory = _ => "127.0.0.1" };
        var port = new Option<int>("--port") { Description = "TCP port (0 picks a free one)", DefaultValueFactory = _ => 8080 };
        var ranker = new Option<string?>("--ranker") { Description = "HSTU ranking checkpoint (from bench rank) for /rank's task probabilities" };
        var index = new Option<IndexKind>("--index") { Description = "Top-k index: exact, hnsw (ours; rebuilt on each catalogue change) or usearch (extended in place when items are added)", DefaultValueFactory = _ => IndexKind.Exact };
        var maxBody = new Option<int>("--max-body-kb") { Description = "Largest request body in KiB (413 above)", DefaultValueFactory = _ => 256 };
        var maxHistory = new Option<int>("--max-history") { Description = "Longest accepted history, in items", DefaultValueFactory = _ => 2_000 };
        var tokenFile = new Option<string?>("--admin-token-file") { Description = $"File holding the bearer token for /reload (or set {TokenVariable}); without a token /reload answers only on a loopback bind" };
        var modelRoot = new Option<string?>("--model-root") { Description = "Folder that /reload may load checkpoints from (default: the folder above the checkpoint's, e.g. runs/)" };
        var allowedHosts = new Option<string?>("--allowed-hosts") { Description = "Host header values answered, comma-separated (default: localhost names on a loopback bind, any otherwise)" };
        var rateLimit = new Option<int>("--rate-limit") { Description = "Requests per second per client address on /recommend, /rank, /reload (429 above; 0: unlimited)", DefaultValueFactory = _ => 5_000 };
        var maxConnections = new Option<int>("--max-connections") { Description = "Open connections at most", DefaultValueFactory = _ => 1_024 };
        var timeout = new Option<double>("--request-timeout") { Description = "Seconds a request may take (503 after)", DefaultValueFactory = _ => 10 };
        var proxies = new Option<string?>("--known-proxies") { Description = "Reverse proxies (IP addresses, comma-separated) whose X-Forwarded-For/-Proto are honoured" };
        var stateFile = new Option<string?>("--state-file") { Description = "Where the served model is remembered across restarts (default: <model root>/.genrec-serve.json)" };
        var logLevel = new Option<LogLevel>("--log-level") { Description = "Console log level", DefaultValueFactory = _ => LogLevel.Information };
        var maxBatch = new Option<int?>("--max-batch") { Description = "Dynamic batching: most /recommend requests per forward pass (1: off; default 32 on CUDA; on the CPU 8 for a TIGER model's beams, off for an index model, as measured)" };
        var batchWait = new Option<double>("--batch-wait-ms") { Description = "Dynamic batching: longest wait for a batch to fill, in ms", DefaultValueFactory = _ => 1 };
        var batchWorkers = new Option<int>("--batch-workers") { Description = "Dynamic batching: batches computed at once, each on one libtorch thread (default: one per core)", DefaultValueFactory = _ => Math.Max(1, Environment.ProcessorCount) };
        var catalogEncoder = new Option<string>("--catalog-encoder") { Description = "Sentence encoder naming items added by POST /catalog/items (the one the trained items' vectors came from)", DefaultValueFactory = _ => "minilm" };
        var catalogMapping = new Option<string>("--catalog-mapping") { Description = "Content mapping of added items: knn (the rows of the items nearest by text), ridge or mlp", DefaultValueFactory = _ => "knn" };
        catalogMapping.AcceptOnlyFromAmong("knn", "ridge", "mlp");
        var catalogText = new Option<string?>("--catalog-text-embeddings") { Description = "The trained items' text vectors (.npy, genrec text embed) for the content mapping of added items (default: embedded at the first add)" };
        var newItemShare = new Option<double>("--new-item-share") { Description = "Share of each answer kept for items added after training: up to floor(share x k) places at the end of a top k go to added items (TIGER's cold-start rule; 0: none)" };
        var newItemOrder = new Option<string>("--new-item-order") { Description = "Which added items take those places: text (nearest by text to the history's last item; needs the trained items' text vectors, --catalog-text-embeddings or embedded at load) or model (best by the model's score)", DefaultValueFactory = _ => "text" };
        newItemOrder.AcceptOnlyFromAmong("text", "model");
        var precompute = new Option<int>("--precompute-users") { Description = "Known users whose states are computed at load, before the model is served (the others on their first request)", DefaultValueFactory = _ => 50_000 };
        var twoStage = new Option<int?>("--two-stage") { Description = "With --ranker: every /recommend in two stages by default, retrieval's top N (this) then the ranker over all N (a request may change it with 'stages')" };
        var taskWeights = new Option<string?>("--task-weights") { Description = "Weights of the ranker's task probabilities in a two-stage score, e.g. engage=1,like=0.5 (default 1 on every task; a request may give its own)" };
        var rankDeadline = new Option<double?>("--rank-deadline-ms") { Description = "Two-stage /recommend: when the time spent plus the expected ranking time passes this, answer in retrieval's order (and say so); default none" };
        var beams = new Option<int>("--beams") { Description = "A TIGER model: beams of a /recommend that asks for none (at least its k)", DefaultValueFactory = _ => 20 };
        var maxBeams = new Option<int>("--max-beams") { Description = "A TIGER model: most beams a request may ask for ('beams'; also bounds k and stages.retrieve)", DefaultValueFactory = _ => 256 };
        var device = DeviceOption.Create();
        var command = new Command("serve", "Serve /recommend, /rank, /health, /ready, /metrics, /reload and the catalogue (/catalog/items, /catalog/withdraw, /catalog/restore) over HTTP")
        {
            checkpoint, ranker, host, port, index, maxBody, maxHistory, tokenFile, modelRoot, allowedHosts, rateLimit, maxConnections, timeout, proxies, stateFile, logLevel, maxBatch, batchWait, batchWorkers, precompute, catalogEncoder, catalogText, catalogMapping, newItemShare, newItemOrder, twoStage, taskWeights, rankDeadline, beams, maxBeams, device,
        };
        command.SetAction(async (r, cancel) =>
        {
            var options = new GenRecServingOptions
            {
                Checkpoint = r.GetValue(checkpoint)!,
                Ranker = r.GetValue(ranker),
                Device = r.GetValue(device) ?? "auto",
                Index = r.GetValue(index),
                PrecomputeUsers = r.GetValue(precompute),
                CatalogEncoder = r.GetValue(catalogEncoder)!,
                CatalogTextEmbeddings = r.GetValue(catalogText),
                CatalogMapping = r.GetValue(catalogMapping)!,
                NewItemShare = r.GetValue(newItemShare),
                NewItemOrder = r.GetValue(newItemOrder)!,
                Host = r.GetValue(host)!,
                Port = r.GetValue(port),
                MaxBodyBytes = r.GetValue(maxBody) * 1024L,
                MaxHistory = r.GetValue(maxHistory),
                AdminToken = ReadToken(r.GetValue(tokenFile)),
                ModelRoot = r.GetValue(modelRoot),
                AllowedHosts = List(r.GetValue(allowedHosts)),
                RateLimitPerSecond = r.GetValue(rateLimit),
                MaxConnections = r.GetValue(maxConnections),
                RequestTimeout = TimeSpan.FromSeconds(r.GetValue(timeout)),
                KnownProxies = List(r.GetValue(proxies)) ?? [],
                LogLevel = r.GetValue(logLevel),
                MaxBatch = r.GetValue(maxBatch),
                BatchWait = TimeSpan.FromMilliseconds(r.GetValue(batchWait)),
                BatchWorkers = r.GetValue(batchWorkers),
                TwoStageRetrieve = r.GetValue(twoStage),
                Beams = r.GetValue(beams) is var width and >= 1 ? width : throw new ArgumentException($"--beams: {r.GetValue(beams)}, at least 1"),
                MaxBeams = r.GetValue(maxBeams) >= r.GetValue(beams) ? r.GetValue(maxBeams) : throw new ArgumentException($"--max-beams: {r.GetValue(maxBeams)} is below --beams {r.GetValue(beams)}"),
                TaskWeights = Weights(r.GetValue(taskWeights)),
                RankDeadline = r.GetValue(rankDeadline) is { } ms ? TimeSpan.FromMilliseconds(ms) : null,
            };
            if ((options.TwoStageRetrieve is not null || options.TaskWeights is not null || options.RankDeadline is not null) && options.Ranker is null)
            {
                throw new ArgumentException("--two-stage, --task-weights and --rank-deadline-ms set up the ranking stage: give --ranker <checkpoint>");
            }

            options.StateFile = r.GetValue(stateFile) ?? Path.Combine(ServedModels.ModelRoot(options), ".genrec-serve.json");

            // A service parallelises across requests (batch workers, Kestrel), not inside one small forward pass: one
            // libtorch thread each, unless GENREC_THREADS says otherwise (measured: 2 threads per pass cost a third of the throughput).
            if (Environment.GetEnvironmentVariable("GENREC_THREADS") is null)
            {
                TorchSharp.torch.set_num_threads(1);
            }

            RecommendationService.BindAddress(options.Host); // a bad --host is an error before anything loads
            foreach (var proxy in options.KnownProxies)
            {
                _ = System.Net.IPAddress.TryParse(proxy, out _) ? 0 : throw new ArgumentException($"--known-proxies: '{QuotedText.Clip(proxy)}' is not an IP address");
            }

            var models = ServedModels.Start(options, (level, message) =>
            {
                if (level >= LogLevel.Warning)
                {
                    AnsiConsole.MarkupLine($"[yellow]warning:[/] {Markup.Escape(message)}");
                }
                else
                {
                    Output.Info(message);
                }
            });
            var (engine, rankingEngine, _, _) = models.Current;
            await using var app = RecommendationService.Build(models, options);
            try
            {
                await app.StartAsync(cancel);
            }
            catch (IOException e)
            {
                throw new InvalidOperationException($"cannot listen on {options.Host}:{options.Port}: {e.Message}", e);
            }

            if (!options.IsLoopback)
            {
                AnsiConsole.MarkupLine($"[yellow]warning:[/] listening on {Markup.Escape(options.Host)}: every interface can reach this service{(options.AllowedHosts is null ? "; any Host header is answered (set --allowed-hosts)" : "")}{(options.AdminToken is null ? "; /reload is disabled (no admin token)" : "")}");
            }

            AnsiConsole.MarkupLine($"serving [bold]{Markup.Escape(engine.Source)}[/] ({engine.Dataset.NumItems:N0} items, index {Markup.Escape(engine.IndexName)}{(rankingEngine is null ? "" : $", ranker {Markup.Escape(rankingEngine.Source)}")}) at [bold]{RecommendationService.Address(app)}[/]; reloads from {Markup.Escape(models.Paths!.Root)}; Ctrl+C stops");
            try
            {
                await Task.Delay(Timeout.Infinite, cancel);
            }
            catch (OperationCanceledException)
            {
            }

            // Graceful: stop accepting, let requests in flight finish (up to the shutdown timeout).
            using var drain = new CancellationTokenSource(options.ShutdownTimeout);
            await app.StopAsync(drain.Token);
            return 0;
        });
        return command;
    }

    // --task-weights engage=1,like=0.5: task name to weight (checked against the ranker's tasks on each request).
    internal static Dictionary<string, float>? Weights(string? text)
    {
        if (text is null)
        {
            return null;
        }

        var weights = new Dictionary<string, float>(StringComparer.Ordinal);
        foreach (var pair in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = pair.Split('=', 2, StringSplitOptions.TrimEntries);
            if (parts.Length != 2 || parts[0].Length == 0 || !float.TryParse(parts[1], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var weight) || !float.IsFinite(weight) || weight < 0)
            {
                throw new ArgumentException($"--task-weights: '{QuotedText.Clip(pair)}' is not task=weight with a weight of 0 or more (e.g. engage=1,like=0.5)");
            }

            weights[parts[0]] = weight;
        }

        return weights.Count > 0 ? weights : throw new ArgumentException("--task-weights: no task=weight pair given");
    }

    private static string? ReadToken(string? file)
    {
        var token = file is null ? Environment.GetEnvironmentVariable(TokenVariable) : File.Exists(file) ? File.ReadAllText(file) : throw new FileNotFoundException($"--admin-token-file: {file} not found");
        token = token?.Trim();
        if (file is null && string.IsNullOrEmpty(token))
        {
            return null;
        }

        return token is { Length: >= 16 } ? token : throw new ArgumentException($"admin token ({file ?? TokenVariable}): at least 16 characters, got {token?.Length ?? 0}");
    }

    private static string[]? List(string? value) =>
        value?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries) is { Length: > 0 } items ? items : null;
}
