using GenRec.Cli.Commands;

namespace GenRec.Tests.LlmEsr;

/// <summary>The per-seed paired difference of the LLM-ESR table, against hand computation.</summary>
public class PairedDifferenceTests
{
    [Fact]
    public void MeanSdAndStandardErrorOfTheSeedDifferences()
    {
        var clear = BenchLlmEsrTableCommand.PairedDifference.Of(new SortedDictionary<int, double> { [42] = 1, [43] = 2, [44] = 3 });
        Assert.Equal(2, clear.Mean, 12);
        Assert.Equal(1, clear.Sd, 12);                                  // sqrt(((1-2)^2 + 0 + (3-2)^2) / 2)
        Assert.Equal(1 / Math.Sqrt(3), clear.StandardError, 12);
        Assert.True(clear.AboveTwoStandardErrors);                       // 2 > 1.155

        var noise = BenchLlmEsrTableCommand.PairedDifference.Of(new SortedDictionary<int, double> { [1] = 0.3, [2] = -0.1 });
        Assert.Equal(0.1, noise.Mean, 12);
        Assert.False(noise.AboveTwoStandardErrors);                      // s.e. 0.2
        Assert.False(BenchLlmEsrTableCommand.PairedDifference.Of(new SortedDictionary<int, double> { [1] = 5 }).AboveTwoStandardErrors); // one seed has no spread
    }
}
