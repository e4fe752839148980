namespace GenRec.Configuration;

/// <summary>The learning rate after warm-up (<c>train.lr_schedule</c>, <see cref="GenRec.Training.LearningRateSchedule"/>).</summary>
internal enum LrSchedule
{
    /// <summary>The peak rate.</summary>
    Constant,

    /// <summary>Cosine decay to the minimum over the decay steps.</summary>
    Cosine,

    /// <summary>The peak rate times the square root of warm-up over step.</summary>
    InverseSqrt,
}
