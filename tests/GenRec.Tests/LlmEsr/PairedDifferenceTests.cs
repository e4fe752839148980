using GenRec.Cli.Commands;

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
}
