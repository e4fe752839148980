namespace GenRec.Configuration;

/// <summary>What the trainers and the bench commands need of any run config, whatever its model (<see cref="RunConfig{TModel, TTrain}"/>).</summary>
internal interface IRunConfig
{
    RunKind Kind { get; }

    string Name { get; }

    int Seed { get; }

    DataConfig Data { get; }

    ComputeConfig Compute { get; }

    /// <summary>The same run reading its data from <paramref name="path"/>.</summary>
    IRunConfig WithDataPath(string path);
}
