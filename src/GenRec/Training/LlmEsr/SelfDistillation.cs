using GenRec.Configuration;
using GenRec.Compute;
using GenRec.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace GenRec.Training.LlmEsr;

/// <summary>
/// LLM-ESR's retrieval-augmented self-distillation: the representation of each user in the batch
/// (the state after the last input position, [B, D']) is aligned with the mean representation of
/// similar users, computed by the same model on their training histories (all but the last item by default, see
/// <see cref="LlmEsrConfig.TeacherHistory"/>) without gradient (the teacher is a constant), with MSE or a symmetric InfoNCE at the model's learned temperature.
/// The same alignment serves the optional item regularisation between adapted text and ID embeddings.
/// </summary>
internal sealed class SelfDistillation
{
    private readonly LlmEsrConfig config;
    private readonly int[][] similarUsers;
    private readonly int[][] histories;
    private readonly int maxLength;

    public SelfDistillation(LlmEsrConfig config, int[][] similarUsers, int[][] histories, int maxLength)
    {
        this.config = config;
        this.similarUsers = similarUsers;
        // The teachers' histories (a one-item history is kept whole: it has no earlier stage).
        this.histories = config.TeacherHistory == TeacherHistory.DropLast ? [.. histories.Select(h => h.Length > 1 ? h[..^1] : h)] : histories;
        this.maxLength = maxLength;
    }

    private Tensor? epochTeachers;

    /// <summary>
    /// With <c>teacher_refresh: epoch</c>, computes every user's representation [U, D'] (evaluation
    /// mode, no gradient) from the current model; call at the start of each epoch. A no-op otherwise.
    /// </summary>
    public void BeginEpoch(SequentialRecommender model, int batchSize)
    {
        if (config.TeacherRefresh != TeacherRefresh.Epoch)
        {
            return;
        }

        epochTeachers?.Dispose();
        using var _ = no_grad();
        var wasTraining = model.training;
        model.eval();
        var rows = new List<Tensor>();
        // Batches of users of similar length (little padding), put back in user order at the end.
        var byLength = Enumerable.Range(0, histories.Length).OrderBy(u => Math.Min(histories[u].Length, maxLength)).ThenBy(u => u).ToArray();
        using (var scope = NewDisposeScope())
        {
            for (var start = 0; start < byLength.Length; start += batchSize)
            {
                // One scope per batch: a scope holding every batch's intermediates slows down quadratically.
                using var batchScope = NewDisposeScope();
                rows.Add(States(model, byLength.Skip(start).Take(batchSize).Select(u => histories[u]).ToArray()).MoveToOuterDisposeScope());
            }

            var sorted = cat(rows, 0);                                                          // [U, D'] in length order
            var position = new long[byLength.Length];
            for (var i = 0; i < byLength.Length; i++)
            {
                position[byLength[i]] = i;
            }

            epochTeachers = sorted.index_select(0, tensor(position).to(sorted.device)).MoveToOuterDisposeScope(); // [U, D'] in user order
        }

        if (wasTraining)
        {
            model.train();
        }
    }

    /// <summary>Alignment loss (weight alpha applied) of the batch's users, plus beta times the item regularisation when beta > 0.</summary>
    public Tensor Loss(SequentialRecommender model, IReadOnlyList<int> users, Tensor studentStates, Tensor inputIds, Random rng)
    {
        var loss = config.Alpha * Align(model, studentStates, TeacherStates(model, users, rng));
        if (config.Beta > 0)
        {
            loss = loss + (config.Beta * ItemRegularization(model, inputIds));
        }

        return loss;
    }

    /// <summary>
    /// The teachers' mean states [B, D'], without gradient: per step, up to TeachersPerStep similar
    /// users of each user sampled with <paramref name="rng"/>; per epoch, all similar users' states of the epoch start.
    /// </summary>
    public Tensor TeacherStates(SequentialRecommender model, IReadOnlyList<int> users, Random rng)
    {
        using var _ = no_grad();
        if (config.TeacherRefresh == TeacherRefresh.Epoch)
        {
            var cached = epochTeachers ?? throw new InvalidOperationException("call BeginEpoch before the first step of an epoch");
            var k = similarUsers[users[0]].Length;
            var ids = tensor(users.SelectMany(u => similarUsers[u].Select(t => (long)t)).ToArray()).ToDevice(cached.device); // [B * K]
            return cached.index_select(0, ids).view(users.Count, k, -1).mean([1]);            // [B, D']
        }

        var perUser = Math.Min(config.TeachersPerStep, similarUsers[users[0]].Length);
        if (perUser <= 0)
        {
            throw new InvalidOperationException("self-distillation needs at least one similar user per user");
        }

        var teachers = new List<int[]>(users.Count * perUser);
        foreach (var u in users)
        {
            foreach (var t in Pick(similarUsers[u], perUser, rng))
            {
                teachers.Add(histories[t]);
            }
        }

        return States(model, teachers).view(users.Count, perUser, -1).mean([1]).detach();   // [B, D']
    }

    // The state after the last item of each history: [H, D'].
    private Tensor States(SequentialRecommender model, IReadOnlyList<int[]> batch)
    {
        var device = ComputeDevice.DeviceOf(model);
        var (ids, lengths, _, _) = SequenceBatcher.HistoryBatch(batch, maxLength);
        var states = model.forward(ids.ToDevice(device));                                   // [H, N, D']
        return SequentialRecommender.StatesAt(states, tensor(lengths.Select(l => Math.Max(0, l - 1)).ToArray()).ToDevice(device)); // [H, D']
    }

    /// <summary>Alignment of rows of <paramref name="x"/> with the same rows of <paramref name="y"/>: [M, D] each -> scalar.</summary>
    public Tensor Align(SequentialRecommender model, Tensor x, Tensor y)
    {
        if (config.Alignment == DistillationAlignment.Mse)
        {
            return nn.functional.mse_loss(x, y);
        }

        // Symmetric InfoNCE: row i of x should pick row i of y among all rows, and vice versa.
        var xs = nn.functional.normalize(x, dim: 1);
        var ys = nn.functional.normalize(y, dim: 1);
        var logits = xs.matmul(ys.t()) / model.AlignmentTemperature;                        // [M, M]
        var labels = arange(x.shape[0], dtype: int64, device: x.device);
        return (nn.functional.cross_entropy(logits, labels) + nn.functional.cross_entropy(logits.t(), labels)) / 2;
    }

    // The distinct items of the batch (no padding, no mask token): adapted text vs ID embeddings.
    private Tensor ItemRegularization(SequentialRecommender model, Tensor inputIds)
    {
        var ids = inputIds.flatten().unique().Item1;
        ids = ids.masked_select(ids.gt(0).logical_and(ids.le(model.NumItems)));              // [M]
        var adapted = model.SemanticView!.forward(ids);                                      // [M, D]
        var id = model.IdEmbeddings.index_select(0, ids);                                     // [M, D]
        return Align(model, adapted, id);
    }

    private static IEnumerable<int> Pick(int[] candidates, int count, Random rng)
    {
        if (count >= candidates.Length)
        {
            return candidates;
        }

        var pool = (int[])candidates.Clone();
        for (var i = 0; i < count; i++)
        {
            var j = i + rng.Next(pool.Length - i);
            (pool[i], pool[j]) = (pool[j], pool[i]);
        }

        return pool.Take(count);
    }
}
