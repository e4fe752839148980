using GenRec.Configuration;
using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using GenRec.Cli.Bench;
using GenRec.Cli.Terminal;
using GenRec.Data;
using GenRec.Data.Splits;
using GenRec.Models.SemanticIds;
using GenRec.Text;
using GenRec.Training;
using GenRec.Training.SemanticIds;
using GenRec.Training.Tiger;
using GenRec.Util;

namespace GenRec.Cli.Commands;

/// <summary>
/// <c>genrec semantic-ids</c>: trains an RQ-VAE on item text embeddings (a .npy from
/// <c>genrec text embed</c>) and writes the item -> semantic ID table (TSV: item id, one column per
/// code, the last one the collision code), the per-epoch metrics (JSONL) and a bench JSON with the
/// final reconstruction loss, codebook usage and entropy per level, p_unique_ids and max_id_duplicates.
/// </summary>
internal static class SemanticIdsCommand
{
    public static Command Create(Option<string> benchOutput)
    {
        var options = new DatasetOptions();
        var embeddings = new Option<string?>("--embeddings") { Description = "Item embeddings .npy (rows in dense-id order; from genrec text embed)" };
        var collaborative = new Option<int?>("--collaborative") { Description = "Instead of --embeddings, for items without text: this many dimensions of the SVD of the items' co-occurrence PPMI in the training sequences" };
        var window = new Option<int>("--window") { Description = "Co-occurrence window (positions) for --collaborative", DefaultValueFactory = _ => 5 };
        var config = new Option<string?>("--config") { Description = "RQ-VAE config JSON (default: TIGER's settings)" };
        var epochs = new Option<int?>("--epochs") { Description = "Epochs (overrides the config)" };
        var output = new Option<string>("--out") { Description = "Semantic ID table (TSV)", DefaultValueFactory = _ => "semantic-ids.tsv" };
        var name = new Option<string?>("--name") { Description = "Dataset name for bench/results/rqvae-<name>.json (default: no bench file)" };
        var letter = new Option<string?>("--import-letter") { Description = "Instead of training: convert LETTER's *.index.json (0-based item ids, <a_N> tokens) into a table, with a collision code appended" };
        var coldShare = new Option<double>("--cold-item-share") { Description = "TIGER's cold-start setting: the RQ-VAE is trained without this share of the test-target items (the cold items of a TIGER run with data.cold_item_share and the same --cold-seed), which then get their codes through the frozen encoder and codebooks and collision codes after every warm item" };
        var coldSeed = new Option<int>("--cold-seed") { Description = "Seed that draws the cold items (the TIGER run's seed)", DefaultValueFactory = _ => 42 };
        var pq = new Option<int?>("--pq") { Description = "Instead of the RQ-VAE: long unordered IDs of this many codes by product quantisation of the item vectors (--embeddings or --collaborative; RPG; 256 codes each), for model.architecture parallel_codes" };
        var pqDim = new Option<int>("--pq-dim") { Description = "With --pq: PCA dimensions before the subspaces are cut (RPG: 128)", DefaultValueFactory = _ => 128 };
        var device = DeviceOption.Create();
        var command = new Command("semantic-ids", "Train an RQ-VAE on item embeddings and write each item's semantic ID") { embeddings, collaborative, window, config, epochs, output, name, letter, coldShare, coldSeed, pq, pqDim, device, benchOutput };
        options.AddTo(command);
        command.SetAction((r, cancel) =>
        {
            var clock = Stopwatch.StartNew();
            if (r.GetValue(coldShare) > 0 && (r.GetValue(letter) is not null || r.GetValue(collaborative) is not null))
            {
                // Imported IDs are fixed, and co-occurrence vectors would read the cold items' interactions: only text codes a new item.
                throw new ArgumentException("--cold-item-share codes the cold items from their text: give it with --embeddings, not with --import-letter or --collaborative");
            }

            var dataset = DatasetLoader.Load(options.Request(r), Output.Info);
            if (r.GetValue(letter) is { } index)
            {
                var imported = LetterIndexFile.Read(index, dataset);
                var size = imported.Max(c => c.Max()) + 1;
                var importedTable = SemanticIdTable.FromCodes(imported, size);
                var measured = SemanticIdTable.Measure(imported, size);
                WriteTable(r.GetValue(output)!, dataset, importedTable);
                Output.Info($"{index}: {imported.Length:N0} items x {imported[0].Length} codes (up to {size}); p_unique_ids {measured.PUniqueIds:F4}, largest collision group {measured.MaxIdDuplicates}; with the collision code appended -> {r.GetValue(output)}");
                return Task.FromResult(0);
            }

            if (r.GetValue(pq) is { } subspaces)
            {
                var (vectors, width, from) = (r.GetValue(embeddings), r.GetValue(collaborative)) switch
                {
                    ({ } file, null) => Imported(file, dataset.NumItems),
                    (null, { } k) => Collaborative(dataset, k, r.GetValue(window), seed: 42),
                    _ => throw new ArgumentException("--pq quantises item vectors: give exactly one of --embeddings <items.npy> and --collaborative <dim>"),
                };
                var pqCodes = ProductQuantizer.Encode(vectors[width..], dataset.NumItems, width, r.GetValue(pqDim), subspaces, 256, iterations: 20, seed: 42);
                var pqMeasured = SemanticIdTable.Measure(pqCodes, 256);
                // Unique IDs stay m codes long; colliding ones get the collision code as one more (predicted) code.
                int[][] pqIds = pqMeasured.MaxIdDuplicates == 1 ? [[], .. pqCodes] : SemanticIdTable.FromCodes(pqCodes, 256).Ids;
                SemanticIdFile.Write(r.GetValue(output)!, pqIds, dataset);
                Output.Info($"product quantisation of {from}: PCA {Math.Min(width, r.GetValue(pqDim))}, {subspaces} subspaces x 256 codes; usage {pqMeasured.Usage.Min():F2}-{pqMeasured.Usage.Max():F2}, entropy {pqMeasured.Entropy.Min():F2}-{pqMeasured.Entropy.Max():F2} bits; p_unique_ids {pqMeasured.PUniqueIds:F4} ({clock.Elapsed.TotalSeconds:F0} s) -> {r.GetValue(output)}");
                return Task.FromResult(0);
            }

            var rq = r.GetValue(config) is { } path ? JsonConfig.Load<RqVaeConfig>(path) : new RqVaeConfig();
            rq = rq with { Epochs = r.GetValue(epochs) ?? rq.Epochs };
            var (values, dim, source) = (r.GetValue(embeddings), r.GetValue(collaborative)) switch
            {
                ({ } npy, null) => Imported(npy, dataset.NumItems),
                (null, { } k) => Collaborative(dataset, k, r.GetValue(window), rq.Seed),
                _ => throw new ArgumentException("give exactly one of --embeddings <items.npy> and --collaborative <dim>"),
            };
            var items = values[dim..];                                                       // drop the padding row
            var cold = r.GetValue(coldShare) is > 0 and var share
                ? ColdItems.Choose(SequenceSplit.Create(dataset, SplitKind.LeaveOneOut), dataset.NumItems, share, r.GetValue(coldSeed))
                : new bool[dataset.NumItems + 1];
            int[] trained = [.. Enumerable.Range(1, dataset.NumItems).Where(i => !cold[i])];
            int[] later = [.. Enumerable.Range(1, dataset.NumItems).Where(i => cold[i])];
            var trainedValues = Rows(items, dim, trained);
            Output.Info($"RQ-VAE on {trained.Length:N0} items x {dim}: {rq.Levels} levels x {rq.CodebookSize} codes, latent {rq.LatentDim}, {rq.Epochs} epochs"
                + (later.Length > 0 ? $"; {later.Length:N0} cold items (seed {r.GetValue(coldSeed)}) left out, coded afterwards by the frozen model" : ""));
            var metricsPath = Path.ChangeExtension(r.GetValue(output)!, ".metrics.jsonl");
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(metricsPath))!);
            File.WriteAllText(metricsPath, "");
            var (model, trainedCodes, log) = RqVaeTrainer.Train(trainedValues, trained.Length, dim, rq, e =>
            {
                File.AppendAllText(metricsPath, JsonSerializer.Serialize(e, RunConfig.Json).ReplaceLineEndings(" ") + "\n");
                if (e.Epoch == 1 || e.Epoch % 25 == 0 || e.Epoch == rq.Epochs)
                {
                    System.Console.WriteLine($"epoch {e.Epoch,4}  recon {e.ReconstructionLoss:F4}  loss {e.RqVaeLoss:F4}  usage {string.Join("/", e.Usage.Select(u => u.ToString("F2")))}  entropy {string.Join("/", e.Entropy.Select(h => h.ToString("F2")))}  p_unique {e.PUniqueIds:F4}  max_dup {e.MaxIdDuplicates}  reset {e.CodesReset}");
                }
            }, cancel, DeviceOption.Resolve(r.GetValue(device)));
            var codes = new int[dataset.NumItems][];
            for (var k = 0; k < trained.Length; k++)
            {
                codes[trained[k] - 1] = trainedCodes[k];
            }

            var laterCodes = later.Length == 0 ? [] : RqVaeTrainer.EncodeNew(model, trainedValues, trained.Length, Rows(items, dim, later), later.Length, dim);
            for (var k = 0; k < later.Length; k++)
            {
                codes[later[k] - 1] = laterCodes[k];
            }

            var table = SemanticIdTable.FromCodes(codes, rq.CodebookSize, later.ToHashSet());
            var final = SemanticIdTable.Measure(codes, rq.CodebookSize);
            if (later.Length > 0)
            {
                // TIGER's cold-start rule retrieves a new item through a generated ID of a trained item with the same RQ-VAE codes.
                var trainedPrefixes = trained.Select(i => string.Join(',', codes[i - 1])).ToHashSet();
                var sharing = later.Count(i => trainedPrefixes.Contains(string.Join(',', codes[i - 1])));
                Output.Info($"cold items: {sharing:N0} of {later.Length:N0} share their RQ-VAE codes with a trained item (reachable by TIGER's cold-start rule); collision codes up to {table.Ids.Where(i => i.Length > 0).Max(i => i[^1])}");
            }

            var unique = SemanticIdTable.Measure(table.Ids.Skip(1).ToArray(), Math.Max(rq.CodebookSize, table.CollisionCodes));
            WriteTable(r.GetValue(output)!, dataset, table);
            Output.Info($"semantic IDs -> {r.GetValue(output)} ({table.Length} codes; collision code up to {table.CollisionCodes - 1}; p_unique_ids {final.PUniqueIds:F4} -> {unique.PUniqueIds:F4} with it); metrics -> {metricsPath}");
            if (r.GetValue(name) is { } datasetName)
            {
                var metrics = new SortedDictionary<string, double>
                {
                    ["reconstruction_loss"] = log[^1].ReconstructionLoss,
                    ["rqvae_loss"] = log[^1].RqVaeLoss,
                    ["p_unique_ids"] = final.PUniqueIds,
                    ["max_id_duplicates"] = final.MaxIdDuplicates,
                    ["p_unique_ids_with_collision_code"] = unique.PUniqueIds,
                };
                for (var l = 0; l < final.Usage.Length; l++)
                {
                    metrics[$"usage_level{l + 1}"] = final.Usage[l];
                    metrics[$"entropy_level{l + 1}"] = final.Entropy[l];
                }

                var report = BenchReport.Create("rqvae", datasetName, $"RQ-VAE on {source}, {log.Count} epochs; entropy in bits", metrics, clock.Elapsed.TotalSeconds, rq, new { epochs = log });
                System.Console.WriteLine(report.Summary() + $" -> {report.Write(r.GetValue(benchOutput)!)}");
            }

            return Task.FromResult(0);
        });
        return command;
    }

    // The embeddings of the given dense items (1-based; rows of `items` are items 1..N), concatenated.
    private static float[] Rows(float[] items, int dim, int[] dense)
    {
        var rows = new float[dense.Length * dim];
        for (var k = 0; k < dense.Length; k++)
        {
            Array.Copy(items, (dense[k] - 1) * dim, rows, k * dim, dim);
        }

        return rows;
    }

    private static void WriteTable(string path, SequenceDataset dataset, SemanticIdTable table) => SemanticIdFile.Write(path, table.Ids, dataset);

    private static (float[] Values, int Dim, string Source) Imported(string npy, int numItems)
    {
        var (values, dim) = ItemTextEmbeddings.Import(npy, numItems);
        return (values, dim, $"{Path.GetFileName(npy)} ({dim}-d item embeddings)");
    }

    // Items without text: PPMI of co-occurrence in the leave-one-out training sequences (no held-out item is seen), factorised by SVD.
    private static (float[] Values, int Dim, string Source) Collaborative(SequenceDataset dataset, int dim, int window, int seed)
    {
        var split = SequenceSplit.Create(dataset, SplitKind.LeaveOneOut);
        Output.Info($"collaborative item vectors: PPMI of co-occurrence within {window} positions in {split.Train.Length:N0} training sequences, randomised SVD to {dim} dimensions");
        return (CooccurrenceItemVectors.Compute(split.Train, dataset.NumItems, dim, window, seed), dim, $"{dim}-d SVD of item co-occurrence PPMI (window {window}, leave-one-out training sequences)");
    }
}
