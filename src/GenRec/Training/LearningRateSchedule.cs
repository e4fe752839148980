using GenRec.Configuration;
namespace GenRec.Training;

/// <summary>
/// The learning rate at optimiser step t (from 0): a linear warm-up over W steps,
/// <c>lr_t = lr * (t + 1) / W</c> for t &lt; W, then one of
/// <list type="bullet">
/// <item><c>constant</c>: <c>lr</c> (the public TIGER reproductions' AdamW setting);</item>
/// <item><c>cosine</c>: <c>lr_min + (lr - lr_min) * (1 + cos(pi * min(1, (t - W) / D))) / 2</c> over D decay steps, then <c>lr_min</c>;</item>
/// <item><c>inverse_sqrt</c>: <c>lr * sqrt(W / (t + 1))</c> (T5's and TIGER's paper schedule after its constant phase; W at least 1).</item>
/// </list>
/// </summary>
internal sealed record LearningRateSchedule(double LearningRate, int WarmupSteps, LrSchedule Kind = LrSchedule.Constant, int DecaySteps = 0, double MinLearningRate = 0)
{
    public double At(long step)
    {
        if (step < WarmupSteps)
        {
            return LearningRate * (step + 1) / WarmupSteps;
        }

        var after = step - WarmupSteps;
        return Kind switch
        {
            LrSchedule.Constant => LearningRate,
            LrSchedule.Cosine => DecaySteps <= 0
                ? throw new ArgumentException("the cosine learning-rate schedule needs decay_steps > 0")
                : MinLearningRate + ((LearningRate - MinLearningRate) * (1 + Math.Cos(Math.PI * Math.Min(1.0, after / (double)DecaySteps))) / 2),
            LrSchedule.InverseSqrt => LearningRate * Math.Sqrt(Math.Max(1, WarmupSteps) / (double)(step + 1)),
            _ => throw new ArgumentOutOfRangeException(nameof(Kind), Kind, "train.lr_schedule"),
        };
    }
}
