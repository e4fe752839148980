using GenRec.Configuration;
using GenRec.Training;

namespace GenRec.Tests.Training;

/// <summary>Learning-rate schedules against values worked out by hand.</summary>
public class LearningRateScheduleTests
{
    [Fact]
    public void WarmsUpLinearlyThenFollowsTheNamedSchedule()
    {
        var constant = new LearningRateSchedule(1e-3, WarmupSteps: 4);
        Assert.Equal([2.5e-4, 5e-4, 7.5e-4, 1e-3, 1e-3, 1e-3], Enumerable.Range(0, 6).Select(t => constant.At(t)).ToArray());

        var cosine = new LearningRateSchedule(1e-3, 2, LrSchedule.Cosine, DecaySteps: 4, MinLearningRate: 1e-4);
        Assert.Equal(5e-4, cosine.At(0), 12);
        Assert.Equal(1e-3, cosine.At(2), 12);                                        // start of the decay
        Assert.Equal(1e-4 + (9e-4 * (1 + Math.Cos(Math.PI / 4)) / 2), cosine.At(3), 12);
        Assert.Equal(5.5e-4, cosine.At(4), 12);                                      // half way
        Assert.Equal(1e-4, cosine.At(6), 12);
        Assert.Equal(1e-4, cosine.At(100), 12);                                      // floor after the decay

        var inverseSqrt = new LearningRateSchedule(1e-2, 100, LrSchedule.InverseSqrt);
        Assert.Equal(1e-2, inverseSqrt.At(99), 12);
        Assert.Equal(1e-2 * Math.Sqrt(100 / 400.0), inverseSqrt.At(399), 12);

        Assert.Throws<ArgumentException>(() => new LearningRateSchedule(1e-3, 0, LrSchedule.Cosine).At(5));
        Assert.Contains("(available: constant, cosine, inverse_sqrt)", Assert.Throws<ArgumentException>(() => ClosedChoice.Parse<LrSchedule>("linear", "train.lr_schedule")).Message);
    }
}
