using GenRec.Configuration;
using GenRec.Models;
using static TorchSharp.torch;

namespace GenRec.Tests.Catalog;

/// <summary>A trained model takes new items: both tables grow, the known items and special tokens keep their rows.</summary>
public class ItemGrowthTests
{
    private static ModelConfig Small(string encoder, SemanticViewConfig? view = null) =>
        new() { Encoder = encoder, EmbeddingDim = 8, MaxSequenceLength = 6, FfnHiddenDim = 8, NumBlocks = 1, NumHeads = 1, Dropout = 0, SemanticView = view };

    [Theory]
    [InlineData("sasrec")]
    [InlineData("bert4rec")]
    [InlineData("gru4rec")]
    public void AddedItemsAreScoredAndReadWhileKnownOnesKeepTheirFigures(string encoder)
    {
        manual_seed(1);
        using var model = new SequentialRecommender(Small(encoder), numItems: 10);
        model.eval();
        using var history = tensor(new long[] { 3, 5, 7 }).reshape(1, 3);
        using var statesBefore = model.forward(history);                                     // [1, 3, D]
        using var itemsBefore = model.AllItemEmbeddings().detach().clone();                  // [11, D]
        using var maskBefore = model.IsCausal ? null : model.EmbedItems(tensor(new long[] { model.MaskToken })).detach().clone();
        using var rows = randn(3, 8);

        model.AddItems(rows);

        Assert.Equal(13, model.NumItems);
        using var itemsAfter = model.AllItemEmbeddings();                                    // [14, D]
        Assert.Equal(new long[] { 14, 8 }, itemsAfter.shape);
        Assert.True(itemsAfter.narrow(0, 0, 11).allclose(itemsBefore), "known items keep their embeddings");
        Assert.True(itemsAfter.narrow(0, 11, 3).allclose(model.EmbedItems(tensor(new long[] { 11, 12, 13 }))), "new items are in the scored table");
        using var statesAfter = model.forward(history);
        Assert.True(statesAfter.allclose(statesBefore, 1e-5, 1e-6), "a history of known items reads the same");
        if (maskBefore is not null)
        {
            Assert.Equal(14, model.MaskToken);                                                // [mask] moved after the new items
            Assert.True(model.EmbedItems(tensor(new long[] { model.MaskToken })).allclose(maskBefore));
        }

        using var withNew = model.forward(tensor(new long[] { 3, 12, 13 }).reshape(1, 3));   // a history with new items reads them
        Assert.False(withNew.allclose(statesBefore));
        Assert.Equal(new long[] { 1, 14 }, model.ScoreAll(withNew[.., -1]).shape);
    }

    [Fact]
    public void TheSemanticViewTakesTheNewItemsText()
    {
        manual_seed(2);
        using var model = new SequentialRecommender(Small("sasrec", new SemanticViewConfig { SemanticDim = 6, Fusion = ViewFusion.Concat }), numItems: 5);
        model.LoadSemantics([.. Enumerable.Range(0, 36).Select(i => (float)Math.Sin(i))], pcaInit: false);
        model.eval();
        using var before = model.AllItemEmbeddings().detach().clone();                       // [6, 2D]
        Assert.Contains("text embeddings", Assert.Throws<ArgumentException>(() => model.AddItems(randn(2, 8))).Message, StringComparison.Ordinal);
        using var text = randn(2, 6);
        model.AddItems(randn(2, 8), text);
        using var after = model.AllItemEmbeddings();
        Assert.Equal(new long[] { 8, 16 }, after.shape);
        Assert.True(after.narrow(0, 0, 6).allclose(before));
        Assert.True(model.SemanticView!.Table.narrow(0, 6, 2).allclose(text));
    }
}
