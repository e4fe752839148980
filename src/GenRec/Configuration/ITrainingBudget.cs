namespace GenRec.Configuration;

/// <summary>How long any trainer may run: epochs, a time budget and early-stopping patience (the training records of every kind share them).</summary>
internal interface ITrainingBudget
{
    /// <summary>Epochs at most.</summary>
    int Epochs { get; }

    /// <summary>Minutes of training at most (0: no limit).</summary>
    double MaxMinutes { get; }

    /// <summary>Validations without improvement before stopping (0: never).</summary>
    int Patience { get; }
}
