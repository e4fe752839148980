using GenRec.Configuration;
using GenRec.Compute;
using GenRec.Models.SemanticIds;
using TorchSharp;
using static TorchSharp.torch;

namespace GenRec.Training.SemanticIds;

/// <summary>One epoch of RQ-VAE training: losses over the epoch and the ID metrics of all items after it.</summary>
internal sealed record RqVaeEpoch(int Epoch, double ReconstructionLoss, double RqVaeLoss, double[] Usage, double[] Entropy, double PUniqueIds, int MaxIdDuplicates, int CodesReset);

/// <summary>
/// Trains an RQ-VAE on item embeddings: inputs standardised per dimension, k-means initialisation of
/// every level from the data's residuals, AdamW on reconstruction + codebook + commitment loss,
/// dead-code reset after each epoch, metrics per epoch (losses, usage, entropy, p_unique_ids,
/// max_id_duplicates). Seeded: the same embeddings and config give the same codes on CPU.
/// </summary>
internal static class RqVaeTrainer
{
    /// <param name="device">Where to train (default the CPU); k-means initialisation runs on the host first. Code usage and losses stay on the device until the epoch ends.</param>
    public static (RqVae Model, int[][] Codes, List<RqVaeEpoch> Log) Train(float[] embeddings, int count, int dim, RqVaeConfig config, Action<RqVaeEpoch>? onEpoch = null, CancellationToken cancel = default, Device? device = null)
    {
        device ??= CPU;
        manual_seed(config.Seed);
        var generator = new Generator((ulong)config.Seed);
        var data = Standardise(from_array(embeddings).view(count, dim));                // [N, in]
        var model = new RqVae(dim, config);
        if (config.KMeansInit)
        {
            InitialiseCodebooks(model, data, generator);
        }

        model.to(device);
        data = data.ToDevice(device);

        var optimizer = optim.AdamW(model.parameters(), config.LearningRate, weight_decay: config.WeightDecay);
        var log = new List<RqVaeEpoch>();
        var rng = new Random(config.Seed);
        for (var epoch = 1; epoch <= config.Epochs && !cancel.IsCancellationRequested; epoch++)
        {
            model.train();
            var order = Enumerable.Range(0, count).OrderBy(_ => rng.Next()).ToArray();
            var usage = zeros(config.Levels, config.CodebookSize, dtype: int64, device: device); // [L, K] times each code was chosen
            var reconstructionSum = zeros(1, dtype: float64, device: device);
            var rqSum = zeros(1, dtype: float64, device: device);
            var batches = 0;
            Tensor? lastResiduals = null;
            for (var start = 0; start < count; start += config.BatchSize)
            {
                using var scope = NewDisposeScope();
                var rows = tensor(order[start..Math.Min(count, start + config.BatchSize)].Select(i => (long)i).ToArray()).ToDevice(device);
                var (reconstruction, quantization, codes, residuals) = model.Forward(data.index_select(0, rows));
                var loss = reconstruction + quantization;
                optimizer.zero_grad();
                loss.backward();
                optimizer.step();
                reconstructionSum.add_(reconstruction.detach());
                rqSum.add_(loss.detach());
                batches++;
                MarkUsed(usage, codes);
                lastResiduals?.Dispose();
                lastResiduals = residuals.MoveToOuterDisposeScope();
            }

            var used = UsedCodes(usage);                                                  // the epoch's one read of usage
            var reset = config.DeadCodeReset && lastResiduals is not null ? ResetDeadCodes(model, used, lastResiduals, generator) : 0;
            lastResiduals?.Dispose();
            var allCodes = Assign(model, data);
            var metrics = SemanticIdTable.Measure(allCodes, config.CodebookSize);
            var record = new RqVaeEpoch(epoch, reconstructionSum.item<double>() / batches, rqSum.item<double>() / batches, metrics.Usage, metrics.Entropy, metrics.PUniqueIds, metrics.MaxIdDuplicates, reset);
            log.Add(record);
            onEpoch?.Invoke(record);
        }

        model.eval();
        return (model, Assign(model, data), log);
    }

    /// <summary>Codes of every item (eval mode, nearest codewords): [N][L].</summary>
    public static int[][] Assign(RqVae model, Tensor data)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var wasTraining = model.training;
        model.eval();
        var codes = model.Quantizer.Encode(model.Encode(data));                        // [N, L]
        if (wasTraining)
        {
            model.train();
        }

        var flat = codes.cpu().contiguous().data<long>().ToArray();
        var levels = (int)codes.shape[1];
        return Enumerable.Range(0, (int)codes.shape[0]).Select(i => flat.Skip(i * levels).Take(levels).Select(c => (int)c).ToArray()).ToArray();
    }

    /// <summary>
    /// Codes of items the RQ-VAE was not trained on (new items), through the trained, frozen encoder and codebooks:
    /// their embeddings [count, dim] are standardised with the training items' statistics, as those were.
    /// </summary>
    public static int[][] EncodeNew(RqVae model, float[] trainedOn, int trainedCount, float[] embeddings, int count, int dim)
    {
        using var scope = NewDisposeScope();
        var data = Standardise(from_array(embeddings).view(count, dim), from_array(trainedOn).view(trainedCount, dim)); // [count, in]
        return Assign(model, data.to(Compute.ComputeDevice.DeviceOf(model)));
    }

    // Zero mean, unit variance per dimension of the reference rows (dimensions with no spread are left centred).
    public static Tensor Standardise(Tensor x, Tensor? reference = null)
    {
        reference ??= x;
        var mean = reference.mean([0], keepdim: true);
        var std = reference.std(0, keepdim: true).clamp_min(1e-6);
        return (x - mean) / std;
    }

    private static void InitialiseCodebooks(RqVae model, Tensor data, Generator generator)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var residual = model.Encode(data);                                                // [N, d]
        for (var level = 0; level < model.Quantizer.Levels; level++)
        {
            var centroids = KMeans.Fit(residual, model.Quantizer.CodebookSize, iterations: 20, generator);
            model.Quantizer.SetCodebook(level, centroids);
            var nearest = ResidualQuantizer.SquaredDistances(residual, centroids).argmin(1);
            residual = residual - centroids.index_select(0, nearest);
        }
    }

    // usage[l, k] += how often code k was chosen at level l in this batch (codes [B, L]), on the device.
    private static void MarkUsed(Tensor usage, Tensor codes)
    {
        using var _ = no_grad();
        for (var level = 0; level < usage.shape[0]; level++)
        {
            usage[level].index_add_(0, codes[.., level], ones(codes.shape[0], dtype: int64, device: codes.device), 1);
        }
    }

    private static bool[,] UsedCodes(Tensor usage)
    {
        var counts = usage.cpu().contiguous().data<long>().ToArray();
        var (levels, size) = ((int)usage.shape[0], (int)usage.shape[1]);
        var used = new bool[levels, size];
        for (var i = 0; i < counts.Length; i++)
        {
            used[i / size, i % size] = counts[i] > 0;
        }

        return used;
    }

    // Unused codewords take random residuals of their level from the last batch.
    private static int ResetDeadCodes(RqVae model, bool[,] used, Tensor residuals, Generator generator)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var reset = 0;
        for (var level = 0; level < model.Quantizer.Levels; level++)
        {
            var dead = Enumerable.Range(0, model.Quantizer.CodebookSize).Where(k => !used[level, k]).Select(k => (long)k).ToArray();
            if (dead.Length == 0)
            {
                continue;
            }

            var pool = residuals[level];                                                 // [B, d]
            var picks = randint(0, pool.shape[0], [dead.Length], generator: generator).ToDevice(pool.device); // drawn on the host, as on the CPU
            var codebook = model.Quantizer.Codebooks[level].clone();
            codebook.index_copy_(0, tensor(dead).ToDevice(pool.device), pool.index_select(0, picks));
            model.Quantizer.SetCodebook(level, codebook);
            reset += dead.Length;
        }

        return reset;
    }
}
