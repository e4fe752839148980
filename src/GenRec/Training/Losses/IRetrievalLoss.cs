using GenRec.Models;
using static TorchSharp.torch;

namespace GenRec.Training.Losses;

/// <summary>A next-item loss over supervised positions: user states [M, D] and positive item ids [M].</summary>
internal interface IRetrievalLoss
{
    Tensor Compute(SequentialRecommender model, Tensor states, Tensor positives, Generator generator);
}
