using GenRec.Training;
using GenRec.Configuration;
using GenRec.Models;
using GenRec.Models.Encoders;

namespace GenRec.Checkpoints;

/// <summary>
/// The sizes a retrieval or ranking checkpoint's header claims, checked before a model is built from them: each size field
/// within a configured maximum (<see cref="Limits"/>), and the weights the header implies at least (item table,
/// position table, relative bias, blocks) no larger than the weights the file really holds (<see cref="StoredTensors"/>).
/// A header that says <c>max_sequence_length: 1e9</c> beside 1 MB of weights is refused in milliseconds, with
/// resident memory unchanged, instead of allocating a 200 GB position table first.
/// </summary>
internal static class ModelSizeBounds
{
    /// <summary>Largest accepted value of each size field (far above every published setup).</summary>
    internal sealed record Limits
    {
        public long MaxItems { get; init; } = 100_000_000;
        public long MaxSequenceLength { get; init; } = 1 << 20;
        public long MaxWidth { get; init; } = 1 << 16;
        public long MaxBlocks { get; init; } = 1_024;
        public long MaxHeads { get; init; } = 1_024;
        public long MaxBuckets { get; init; } = 1 << 20;
    }

    /// <summary>Refuses (InvalidDataException naming the file and field) a header whose sizes are out of bounds or exceed the file's weights.</summary>
    public static void Check(ModelConfig model, int numItems, IReadOnlyList<StoredTensor> stored, string path, Limits? limits = null)
    {
        limits ??= new Limits();
        Field(path, "num_items", numItems, 1, limits.MaxItems);
        Field(path, "model.embedding_dim", model.EmbeddingDim, 1, limits.MaxWidth);
        Field(path, "model.max_sequence_length", model.MaxSequenceLength, 1, limits.MaxSequenceLength);
        Field(path, "model.num_blocks", model.NumBlocks, 0, limits.MaxBlocks);
        Field(path, "model.num_heads", model.NumHeads, 1, limits.MaxHeads);
        Field(path, "model.ffn_hidden_dim", model.FfnHiddenDim, 0, limits.MaxWidth);
        Field(path, "model.attention_dim", model.AttentionDim ?? 1, 1, limits.MaxWidth);
        Field(path, "model.linear_dim", model.LinearDim ?? 1, 1, limits.MaxWidth);
        Field(path, "model.gru_hidden_dim", model.GruHiddenDim ?? 1, 1, limits.MaxWidth);
        Field(path, "model.num_time_buckets", model.NumTimeBuckets, 0, limits.MaxBuckets);
        Field(path, "model.mol_query_groups", model.MolQueryGroups, 0, limits.MaxHeads);
        Field(path, "model.mol_item_groups", model.MolItemGroups, 0, limits.MaxHeads);
        Field(path, "model.mol_component_dim", model.MolComponentDim, 0, limits.MaxWidth);

        Features(path, model.Features, limits);
        Compare(path, ImpliedElements(model, numItems), stored);
    }

    /// <summary>The same for an HSTU ranking checkpoint's header: its model config, item count and task count.</summary>
    public static void CheckRanking(RankingConfig model, int numItems, int numTasks, IReadOnlyList<StoredTensor> stored, string path, Limits? limits = null)
    {
        limits ??= new Limits();
        Field(path, "num_items", numItems, 1, limits.MaxItems);
        Field(path, "tasks", numTasks, 1, limits.MaxHeads);
        Field(path, "model.embedding_dim", model.EmbeddingDim, 1, limits.MaxWidth);
        Field(path, "model.max_history", model.MaxHistory, 1, limits.MaxSequenceLength);
        Field(path, "model.num_blocks", model.NumBlocks, 0, limits.MaxBlocks);
        Field(path, "model.num_heads", model.NumHeads, 1, limits.MaxHeads);
        Features(path, model.Features, limits);
        Compare(path, ImpliedRankingElements(model, numItems, numTasks), stored);
    }

    /// <summary>The same for a TIGER run's model config (its run folder's <c>config.json</c>) and the vocabulary of its semantic IDs.</summary>
    public static void CheckTiger(Configuration.TigerConfig model, int vocabularySize, IReadOnlyList<StoredTensor> stored, string path, Limits? limits = null)
    {
        limits ??= new Limits();
        Field(path, "model.model_dim", model.ModelDim, 1, limits.MaxWidth);
        Field(path, "model.ffn_dim", model.FfnDim, 1, limits.MaxWidth);
        Field(path, "model.num_heads", model.NumHeads, 1, limits.MaxHeads);
        Field(path, "model.head_dim", model.HeadDim, 1, limits.MaxWidth);
        Field(path, "model.encoder_layers", model.EncoderLayers, 0, limits.MaxBlocks);
        Field(path, "model.decoder_layers", model.DecoderLayers, 1, limits.MaxBlocks);
        Field(path, "model.max_history", model.MaxHistory, 1, limits.MaxSequenceLength);
        Field(path, "model.user_buckets", model.UserBuckets, 1, limits.MaxBuckets);
        Field(path, "model.relative_buckets", model.RelativeBuckets, 1, limits.MaxBuckets);
        double d = model.ModelDim, attention = 4.0 * d * model.NumHeads * model.HeadDim, ffn = 2.0 * d * model.FfnDim;
        var encoderDecoder = model.Architecture == Configuration.GenerativeArchitecture.EncoderDecoder;
        var terms = new List<(string Name, double Elements)>
        {
            // decoder-only and parallel codes: at least the code tokens' table (their heads predict codes, and RPG has no user token)
            ("token table and head", encoderDecoder ? 2.0 * vocabularySize * d : (vocabularySize - model.UserBuckets) * d),
            ("encoder", model.EncoderLayers * (attention + ffn)),
            ("decoder", model.DecoderLayers * (((encoderDecoder ? 2 : 1) * attention) + ffn)),
        };
        Compare(path, (terms.Sum(t => t.Elements), string.Join(", ", terms.Select(t => $"{t.Name} {t.Elements:N0}"))), stored);
    }

    /// <summary>
    /// The ranker's weights at least: item table (I + 1) x D, position table (2 H + 1) x D over interleaved item and action
    /// tokens, the relative position bias 2 (2 H + 1) - 1, each block's u, v, q, k projection D x 4D, and the head D x D.
    /// </summary>
    internal static (double Elements, string Parts) ImpliedRankingElements(RankingConfig model, int numItems, int numTasks)
    {
        double d = model.EmbeddingDim, tokens = (2.0 * model.MaxHistory) + 1;
        var terms = new List<(string Name, double Elements)>
        {
            ("item table", (numItems + 1.0) * d),
            ("position table", tokens * d),
            ("relative position bias", (2 * tokens) - 1),
            ("blocks", model.NumBlocks * d * 4.0 * d),
            ("head", (d * d) + (d * numTasks)),
        };
        return (terms.Sum(t => t.Elements), string.Join(", ", terms.Select(t => $"{t.Name} {t.Elements:N0}")));
    }

    private static void Features(string path, FeatureConfig? features, Limits limits)
    {
        if (features is null)
        {
            return;
        }

        Field(path, "model.features.user", features.User.Count, 0, limits.MaxHeads);
        foreach (var (cardinality, i) in (features.UserCardinalities ?? []).Select((c, i) => (c, i)))
        {
            Field(path, $"model.features.user_cardinalities[{i}]", cardinality, 0, limits.MaxItems);
        }

        Field(path, "model.features.item_cardinality", features.ItemCardinality, 0, limits.MaxItems);
        Field(path, "model.features.item_width", features.ItemWidth, 0, limits.MaxHeads);
    }

    private static void Compare(string path, (double Elements, string Parts) implied, IReadOnlyList<StoredTensor> stored)
    {
        var held = stored.Where(t => t.Type is TorchSharp.torch.ScalarType.Float32 or TorchSharp.torch.ScalarType.BFloat16 or TorchSharp.torch.ScalarType.Float16 or TorchSharp.torch.ScalarType.Float64)
            .Sum(t => t.Shape.Aggregate(1.0, (a, d) => a * d));
        if (implied.Elements > held)
        {
            throw new InvalidDataException(
                $"{path}: the header describes a model of at least {implied.Elements:N0} weights ({implied.Parts}); the file holds {held:N0}: damaged or altered header, refused before building the model");
        }
    }

    /// <summary>
    /// The weights every model of this config has, whatever its options: a lower bound. Item table (I + 1) x D; the
    /// position table L x D unless the input is plain; HSTU's relative position bias 2L - 1; per block, the
    /// projections a block of that encoder always has.
    /// </summary>
    internal static (double Elements, string Parts) ImpliedElements(ModelConfig model, int numItems)
    {
        double d = model.EmbeddingDim, l = model.MaxSequenceLength, blocks = model.NumBlocks;
        var terms = new List<(string Name, double Elements)> { ("item table", (numItems + 1.0) * d) };
        var preprocessor = model.Preprocessor ?? EncoderRegistry.Find(model.Encoder)?.Preprocessor ?? PreprocessorKind.Plain;
        if (preprocessor != PreprocessorKind.Plain)
        {
            terms.Add(("position table", l * d));
        }

        var heads = model.NumHeads;
        var perBlock = model.Encoder switch
        {
            "hstu" => d * 2.0 * heads * ((model.LinearDim ?? (int)(d / heads)) + (model.AttentionDim ?? (int)(d / heads))),   // u, v, q, k projection
            "sasrec" or "sasrec_affine" or "bert4rec" => (3.0 * d * d) + (2.0 * d * model.FfnHiddenDim),                       // q, k, v and the feed-forward
            "gru4rec" or "gru4rec_reference" => 3.0 * (model.GruHiddenDim ?? (int)d) * Math.Min(model.GruHiddenDim ?? (int)d, d), // input-to-hidden gates
            _ => 0,
        };
        terms.Add(("blocks", blocks * perBlock));
        if (model.Encoder == "hstu" && model.RelativePositionBias)
        {
            terms.Add(("relative position bias", (2 * l) - 1));
        }

        return (terms.Sum(t => t.Elements), string.Join(", ", terms.Where(t => t.Elements > 0).Select(t => $"{t.Name} {t.Elements:N0}")));
    }

    private static void Field(string path, string name, long value, long min, long max)
    {
        if (value < min || value > max)
        {
            throw new InvalidDataException($"{path}: header field {name} is {value:N0} (accepted: {min:N0} to {max:N0})");
        }
    }
}
