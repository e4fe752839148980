using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GenRec.Distributed;

/// <summary>
/// Data-parallel training over a <see cref="IProcessGroup"/>, as DDP does it: every rank holds the whole model, rank 0's
/// parameters are copied to all at the start, each rank takes its own part of every global batch (so P ranks with B/P
/// rows each see what one process with B rows sees), and after each backward the gradients are summed over the ranks
/// in a few flat buffers on the parameters' device (at most <see cref="BucketElements"/> values each, not one call per
/// tensor; MPI sums host memory, NCCL a GPU's), so every rank
/// takes the same optimiser step. Each rank scales its loss by its share of the batch's supervised positions
/// (<see cref="Total"/>), so the summed gradient is the gradient of the whole batch's mean loss.
/// </summary>
internal sealed class DataParallel(IProcessGroup group)
{
    /// <summary>Values per gradient buffer (25 MB of floats, DDP's default bucket).</summary>
    public const int BucketElements = 25 * 1024 * 1024 / sizeof(float);

    private readonly System.Diagnostics.Stopwatch collectives = new();

    public IProcessGroup Group { get; } = group;

    /// <summary>Seconds this rank spent in the per-step collectives (loss weights and gradient sums), waiting for the others included.</summary>
    public double CollectiveSeconds => collectives.Elapsed.TotalSeconds;

    /// <summary>Gradient sums done (one per step).</summary>
    public long Reductions { get; private set; }

    /// <summary>Whether more than one process trains.</summary>
    public bool Enabled => Group.Size > 1;

    /// <summary>
    /// This rank's part of a global batch: the rank-th of <c>Size</c> contiguous parts of near-equal length (rank r
    /// takes rows <c>[n r / P, n (r + 1) / P)</c>); the parts cover the batch and do not overlap. May be empty.
    /// </summary>
    public T[] ShardOf<T>(IReadOnlyList<T> rows)
    {
        var (rank, size) = (Group.Rank, Group.Size);
        var from = (int)((long)rows.Count * rank / size);
        var to = (int)((long)rows.Count * (rank + 1) / size);
        return [.. rows.Skip(from).Take(to - from)];
    }

    /// <summary>A count summed over the ranks (each rank's supervised positions: the batch's total).</summary>
    public long Total(long local)
    {
        Span<double> value = [local];
        collectives.Start();
        Group.AllReduceSum(value);
        collectives.Stop();
        return (long)Math.Round(value[0]);
    }

    /// <summary>
    /// One optimiser step of this rank. Alone: backward, clipping, step. With other ranks: the rank's mean loss over its
    /// M_r supervised positions weighted M_r / M (M summed over the ranks), so that the summed gradients are those of the
    /// whole batch's mean loss; backward; the gradients summed; clipping; the same step on every rank. A rank whose part
    /// of the batch is empty (<paramref name="loss"/> null) adds zero gradients.
    /// </summary>
    /// <returns>The rank's own mean loss (detached), for the progress line.</returns>
    public Tensor Step(TorchSharp.Modules.OptimizerHelper optimizer, Tensor? loss, long positions, IReadOnlyList<Parameter> trained, TorchSharp.torch.nn.Module? clipModule = null, double maxGradNorm = 0)
    {
        if (!Enabled)
        {
            return Training.OptimizerStep.Apply(optimizer, loss ?? throw new ArgumentNullException(nameof(loss), "one process always has rows"), clipModule, maxGradNorm);
        }

        var total = Total(positions);
        var weighted = loss is null ? trained.Select(p => p.sum() * 0).Aggregate((a, b) => a + b) : loss * ((double)positions / total);
        var shown = (loss ?? weighted).detach().MoveToOuterDisposeScope();
        Training.OptimizerStep.Apply(optimizer, weighted, clipModule, maxGradNorm, afterBackward: () => SumGradients(trained));
        return shown;
    }

    /// <summary>Rank 0's parameter values copied into every rank's (at the start of training, also after a resume).</summary>
    public void BroadcastParameters(IReadOnlyList<Parameter> parameters)
    {
        if (!Enabled)
        {
            return;
        }

        foreach (var bucket in Buckets(parameters.Select(p => p.numel()).ToArray()))
        {
            using var scope = NewDisposeScope();
            var values = Flat(bucket.Select(i => parameters[i].detach()));
            Group.Broadcast(values);
            Unflatten(values, bucket, parameters, (p, piece) => p.copy_(piece));
        }
    }

    /// <summary>
    /// Every parameter's gradient replaced by its sum over the ranks (after backward, before clipping and the step). A
    /// parameter with a gradient on some ranks but not on others is an error: the ranks' optimisers would part ways.
    /// </summary>
    public void SumGradients(IReadOnlyList<Parameter> parameters)
    {
        if (!Enabled)
        {
            return;
        }

        collectives.Start();
        try
        {
            SumGradientsNow(parameters);
        }
        finally
        {
            collectives.Stop();
            Reductions++;
        }
    }

    private void SumGradientsNow(IReadOnlyList<Parameter> parameters)
    {
        var present = parameters.Select(p => p.grad is null ? 0.0 : 1.0).ToArray();
        Group.AllReduceSum(present);
        for (var i = 0; i < parameters.Count; i++)
        {
            if (present[i] != 0 && present[i] != Group.Size)
            {
                throw new InvalidOperationException($"parameter {i} ({string.Join('x', parameters[i].shape)}) has a gradient on {present[i]} of {Group.Size} ranks this step; data-parallel training needs every rank to use the same parameters");
            }
        }

        int[] withGradient = [.. Enumerable.Range(0, parameters.Count).Where(i => present[i] != 0)];
        foreach (var bucket in Buckets(withGradient.Select(i => parameters[i].numel()).ToArray()))
        {
            using var scope = NewDisposeScope();
            var chosen = bucket.Select(b => withGradient[b]).ToArray();
            var values = Flat(chosen.Select(i => parameters[i].grad!));
            Group.AllReduceSum(values);
            Unflatten(values, chosen, parameters, (p, piece) => p.grad!.copy_(piece));
        }
    }

    // Consecutive index groups whose sizes add up to at most BucketElements (a larger tensor is a bucket alone).
    private static List<int[]> Buckets(long[] sizes)
    {
        var buckets = new List<int[]>();
        var current = new List<int>();
        long filled = 0;
        for (var i = 0; i < sizes.Length; i++)
        {
            if (current.Count > 0 && filled + sizes[i] > BucketElements)
            {
                buckets.Add([.. current]);
                (current, filled) = ([], 0);
            }

            current.Add(i);
            filled += sizes[i];
        }

        if (current.Count > 0)
        {
            buckets.Add([.. current]);
        }

        return buckets;
    }

    // A bucket's tensors as one new contiguous float32 buffer [n] on their device (host memory for MPI, the GPU's for NCCL).
    private static Tensor Flat(IEnumerable<Tensor> tensors) => cat([.. tensors.Select(t => t.to(ScalarType.Float32).flatten())]);

    // The flat values back into each tensor of the bucket, in order.
    private static void Unflatten(Tensor flat, int[] bucket, IReadOnlyList<Parameter> parameters, Action<Parameter, Tensor> assign)
    {
        long offset = 0;
        using var _ = no_grad();
        foreach (var i in bucket)
        {
            var p = parameters[i];
            var n = p.numel();
            assign(p, flat.narrow(0, offset, n).view(p.shape).to(p.dtype));
            offset += n;
        }
    }
}
