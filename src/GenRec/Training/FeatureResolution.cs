using GenRec.Configuration;
using GenRec.Data;
using GenRec.Data.Features;
using GenRec.Models;

namespace GenRec.Training;

/// <summary>
/// Connects a model's <see cref="FeatureConfig"/> with a dataset's side information: at training start the
/// cardinalities and the item map come from the data (and are written into the config the checkpoint keeps); at
/// evaluation and serving the user table is the dataset's, restricted to the features the model reads.
/// </summary>
internal static class FeatureResolution
{
    /// <summary>
    /// A retrieval run's config with the features' sizes set from <paramref name="data"/> and, with user features, the
    /// cold-start query on unless the config turns it off; the user table and the item map.
    /// </summary>
    public static (RunConfig Config, UserFeatureTable? Users, ItemFeatureMap? Items) Resolve(RunConfig config, SequenceDataset data)
    {
        var (features, users, items) = Resolve(config.Model.Features, data);
        features = features is { User.Count: > 0 } ? features with { ColdStartQuery = features.ColdStartQuery ?? true } : features;
        return (features is null ? config : config with { Model = config.Model with { Features = features } }, users, items);
    }

    /// <summary>The features with their sizes set from <paramref name="data"/> (null stays null), the user table and the item map.</summary>
    public static (FeatureConfig? Features, UserFeatureTable? Users, ItemFeatureMap? Items) Resolve(FeatureConfig? features, SequenceDataset data)
    {
        if (features is null)
        {
            return (null, null, null);
        }

        var users = features.User.Count == 0 ? null : UserTable(features, data);
        var items = features.Item is { } name ? ItemFeatureMap.From(data, name) : null;
        return (features with
        {
            UserCardinalities = users?.Cardinalities,
            ItemCardinality = items?.Vocabulary.Length ?? 0,
            ItemWidth = items?.Width ?? 0,
        }, users, items);
    }

    /// <summary>The dataset's user features that the model reads (null when it reads none).</summary>
    public static UserFeatureTable? UsersFor(ModelConfig model, SequenceDataset data) => UsersFor(model.Features, data);

    /// <summary>The dataset's user features that <paramref name="features"/> name (null when none).</summary>
    public static UserFeatureTable? UsersFor(FeatureConfig? features, SequenceDataset data) =>
        features is { User.Count: > 0 } ? UserTable(features, data) : null;

    private static UserFeatureTable UserTable(FeatureConfig features, SequenceDataset data)
    {
        var table = data.UserFeatures ?? throw new ArgumentException(
            $"model.features.user asks for {string.Join(", ", features.User)}, but {data.Name} has no user features (put users.dat beside the data or set data.user_features)");
        var selected = table.Select(features.User);
        if (features.UserCardinalities is { } expected && !expected.SequenceEqual(selected.Cardinalities))
        {
            throw new ArgumentException($"the model was trained with user feature sizes [{string.Join(", ", expected)}]; this data gives [{string.Join(", ", selected.Cardinalities)}]: not the same user table");
        }

        return selected;
    }
}
