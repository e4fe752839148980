using TorchSharp;
using static TorchSharp.torch;

namespace GenRec.Catalog;

/// <summary>
/// A small MLP from content to embedding: <c>ê(x) = W₂ GELU(W₁ x + b₁) + b₂</c>, trained by AdamW on the mean squared
/// error over the pairs, mini-batches of 256, stopped when a seeded tenth of the pairs held out stops improving
/// (patience 10 epochs) and restored to its best epoch.
/// </summary>
internal sealed class MlpContentMapping : IContentMapping
{
    private readonly nn.Module<Tensor, Tensor> network;

    private MlpContentMapping(nn.Module<Tensor, Tensor> network, int epochs)
    {
        this.network = network;
        Epochs = epochs;
    }

    public string Name => "mlp";

    /// <summary>The epoch whose weights were kept.</summary>
    public int Epochs { get; }

    /// <summary>Fits the network on pairs: content [N, T], embeddings [N, D].</summary>
    public static MlpContentMapping Fit(Tensor content, Tensor embeddings, int seed, int hidden = 512, int maxEpochs = 300, double learningRate = 1e-3, double weightDecay = 1e-4)
    {
        manual_seed(seed);
        var network = nn.Sequential(nn.Linear(content.shape[1], hidden), nn.GELU(), nn.Linear(hidden, embeddings.shape[1]));
        network.to(content.device);
        var n = (int)content.shape[0];
        var order = Enumerable.Range(0, n).ToArray();
        var random = new Random(seed);
        random.Shuffle(order);
        var held = Math.Max(1, n / 10);
        using var heldIds = tensor(order[..held], dtype: int64, device: content.device);
        using var heldX = content.index_select(0, heldIds);
        using var heldE = embeddings.index_select(0, heldIds);
        var fitIds = order[held..];
        var optimizer = optim.AdamW(network.parameters(), learningRate, weight_decay: weightDecay);
        var best = double.PositiveInfinity;
        var bestEpoch = 0;
        Dictionary<string, Tensor>? bestState = null;
        for (var epoch = 1; epoch <= maxEpochs && epoch - bestEpoch <= 10; epoch++)
        {
            network.train();
            random.Shuffle(fitIds);
            for (var start = 0; start < fitIds.Length; start += 256)
            {
                using var scope = NewDisposeScope();
                var ids = tensor(fitIds[start..Math.Min(fitIds.Length, start + 256)], dtype: int64, device: content.device);
                var loss = nn.functional.mse_loss(network.forward(content.index_select(0, ids)), embeddings.index_select(0, ids));
                optimizer.zero_grad();
                loss.backward();
                optimizer.step();
            }

            network.eval();
            using (no_grad())
            {
                using var predicted = network.forward(heldX);
                using var heldLoss = nn.functional.mse_loss(predicted, heldE);
                var value = heldLoss.item<float>();
                if (value < best)
                {
                    best = value;
                    bestEpoch = epoch;
                    DisposeState(bestState);
                    bestState = network.state_dict().ToDictionary(p => p.Key, p => p.Value.detach().clone());
                }
            }
        }

        network.load_state_dict(bestState!);
        DisposeState(bestState);
        network.eval();
        return new MlpContentMapping(network, bestEpoch);
    }

    // content: [M, T] -> [M, D]
    public Tensor Map(Tensor content)
    {
        using var _ = no_grad();
        return network.forward(content);
    }

    public void Dispose() => network.Dispose();

    private static void DisposeState(Dictionary<string, Tensor>? state)
    {
        foreach (var tensor in state?.Values ?? Enumerable.Empty<Tensor>())
        {
            tensor.Dispose();
        }
    }
}
