using GenRec.Data;
using GenRec.Text;
using GenRec.Training;

namespace GenRec.Tests.Catalog;

/// <summary>What the catalogue tests share: a stand-in sentence encoder and a small trained model with item titles.</summary>
internal static class CatalogFixtures
{
    /// <summary>A deterministic stand-in for a sentence encoder: a hashed bag of words, 16 values.</summary>
    internal sealed class BagOfWords : ITextEncoder
    {
        public string Name => "test-bag-of-words";

        public int Dim => 16;

        public float[] Encode(IReadOnlyList<string> texts) =>
            [.. texts.SelectMany(t =>
            {
                var row = new float[Dim];
                foreach (var word in t.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                {
                    row[(int)((uint)word.Aggregate(17, (h, c) => unchecked((h * 31) + c)) % Dim)] += 1;
                }

                return row;
            })];
    }

    /// <summary>A one-epoch model on 20 titled items ("item i colour i%4 shape i%3"): its best checkpoint and its data.</summary>
    public static (string Checkpoint, SequenceDataset Data) Trained(TempDir dir)
    {
        var data = GenRec.Tests.Training.TrainingTests.CycleDataset(users: 60, items: 20);
        for (var i = 1; i <= data.NumItems; i++)
        {
            data.Items[i] = new ItemMetadata($"item {i} colour {i % 4} shape {i % 3}", []);
        }

        return (Trainer.Run(GenRec.Tests.Training.TrainingTests.SmallRun(1), data, dir.Path).Checkpoint, data);
    }
}
