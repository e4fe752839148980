using System.Text.Json;
using GenRec.Cli.Bench;

namespace GenRec.Tests.LlmEsr;

/// <summary>The per-seed paired difference of the LLM-ESR table, against hand computation, and the backbone each LLM-ESR model is paired with.</summary>
public class PairedDifferenceTests
{
    [Fact]
    public void MeanSdAndStandardErrorOfTheSeedDifferences()
    {
        var clear = BenchLlmEsrTableCommand.PairedDifference.Of(new SortedDictionary<int, double> { [42] = 1, [43] = 2, [44] = 3 });
        Assert.Equal(2, clear.Mean, 12);
        Assert.Equal(1, clear.Sd!.Value, 12);                                  // sqrt(((1-2)^2 + 0 + (3-2)^2) / 2)
        Assert.Equal(1 / Math.Sqrt(3), clear.StandardError!.Value, 12);
        Assert.True(clear.AboveTwoStandardErrors);                       // 2 > 1.155

        var noise = BenchLlmEsrTableCommand.PairedDifference.Of(new SortedDictionary<int, double> { [1] = 0.3, [2] = -0.1 });
        Assert.Equal(0.1, noise.Mean, 12);
        Assert.False(noise.AboveTwoStandardErrors);                      // s.e. 0.2
        var single = BenchLlmEsrTableCommand.PairedDifference.Of(new SortedDictionary<int, double> { [1] = 5 });
        Assert.False(single.AboveTwoStandardErrors);                     // one seed has no spread
        Assert.Null(single.Sd);                                          // and none is written (JSON null, not "NaN")
        Assert.Null(single.StandardError);
    }

    [Fact]
    public void EachLlmEsrModelAndAblationIsPairedWithItsBackbone()
    {
        string[] plain = ["sasrec", "sasrec-pca-ids", "gru4rec"];
        Assert.Equal("sasrec", BenchLlmEsrTableCommand.BaselineOf("llm-esr-sasrec", plain));
        Assert.Equal("sasrec", BenchLlmEsrTableCommand.BaselineOf("llm-esr-sasrec-concat", plain));
        Assert.Equal("sasrec", BenchLlmEsrTableCommand.BaselineOf("llm-esr-sasrec-whole-teachers", plain));
        Assert.Equal("sasrec-pca-ids", BenchLlmEsrTableCommand.BaselineOf("llm-esr-sasrec-pca-ids-x", plain)); // the longest name that fits
        Assert.Equal("gru4rec", BenchLlmEsrTableCommand.BaselineOf("llm-esr-gru4rec", plain));
        Assert.Null(BenchLlmEsrTableCommand.BaselineOf("llm-esr-bert4rec", plain));   // its backbone has not run
        Assert.Null(BenchLlmEsrTableCommand.BaselineOf("sasrec-pca-ids", plain));     // a plain model
        Assert.Null(BenchLlmEsrTableCommand.BaselineOf("llm-esr-sasrecx", plain));     // a name that only starts like one
    }

    [Fact]
    public void AnEmptyTailGroupIsNeitherComparedNorPrintedAsZero()
    {
        // Two seeds of a backbone and its LLM-ESR model; under the paper's thresholds (grouping 1) no test case has a tail item.
        using var dir = new TempDir();
        foreach (var (model, seed, ndcg) in new[] { ("sasrec", 42, 0.30), ("sasrec", 43, 0.32), ("llm-esr-sasrec", 42, 0.35), ("llm-esr-sasrec", 43, 0.34) })
        {
            object Group(double n, int count) => new Dictionary<string, double> { ["hr@10"] = 2 * n, ["ndcg@10"] = n, ["hr@20"] = 3 * n, ["ndcg@20"] = 1.5 * n, ["count"] = count };
            object Grouping(string name, int tailItems)
            {
                var groups = new Dictionary<string, object> { ["overall"] = Group(ndcg, 100), ["tail_item"] = Group(tailItems > 0 ? ndcg / 2 : 0, tailItems), ["head_item"] = Group(ndcg, 100 - tailItems), ["tail_user"] = Group(ndcg, 80), ["head_user"] = Group(ndcg, 20) };
                return new Dictionary<string, object> { ["groups"] = name, ["full_ranking"] = groups };
            }

            var run = new Dictionary<string, object>
            {
                ["model"] = model,
                ["dataset"] = "tiny",
                ["config"] = new { seed },
                ["training"] = new { epochs_run = 10, samples_per_second = 100.0 },
                ["long_tail"] = new[] { Grouping("share", 30), Grouping("paper", 0) },
            };
            dir.File($"{model}-tiny-seed{seed}.json", JsonSerializer.Serialize(run));
        }

        var share = BenchLlmEsrTableCommand.Build(dir.Path, grouping: 0).Comparisons.Single();
        Assert.Equal(0.035, share.Paired["full_ranking/overall/ndcg@10"].Mean, 12);         // ((0.35 - 0.30) + (0.34 - 0.32)) / 2
        Assert.Equal(0.0175, share.Paired["full_ranking/tail_item/ndcg@10"].Mean, 12);

        var paper = BenchLlmEsrTableCommand.Build(dir.Path, grouping: 1);
        var comparison = paper.Comparisons.Single();
        Assert.False(comparison.Paired.ContainsKey("full_ranking/tail_item/ndcg@10"));       // no +0.0000 "difference" of an empty group
        Assert.True(comparison.ImprovesOverallAndTailItemNdcg10["full_ranking"]);           // decided on overall alone
        var markdown = BenchLlmEsrTableCommand.Markdown(paper);
        Assert.Contains("| (test users in the group) | | 100 | 0 | 100 | 80 | 20 |", markdown);
        Assert.Contains("| llm-esr-sasrec | 2 | 0.3450 / 0.6900 | - (empty) |", markdown);
        Assert.Contains("full ranking yes (overall only: no tail items in these groups)", markdown);
    }
}
