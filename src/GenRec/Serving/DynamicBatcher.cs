using System.Diagnostics;
using System.Threading.Channels;

namespace GenRec.Serving;

/// <summary>
/// Dynamic batching of forward passes (as Triton's dynamic batcher): user states of a retrieval model, beam searches of a
/// generative one. Concurrent requests queue their inputs; a worker (one or a few) takes everything queued, waits at most <see cref="MaxWait"/>
/// for more while the batch is below <see cref="MaxBatch"/>, runs one pass over the batch and
/// hands each request its result. Under light load a request waits at most <see cref="MaxWait"/>; under
/// heavy load the batches fill by themselves and the wait is not spent. After <see cref="Complete"/>
/// (the model was swapped out) queued requests are still answered and new ones are refused, so the
/// caller computes them alone.
/// </summary>
internal sealed class DynamicBatcher<TInput, TResult>
{
    private readonly Channel<Pending> queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = false });
    private readonly Func<IReadOnlyList<TInput>, TResult[]> forward;
    private readonly Action<int, TimeSpan>? observe;
    private readonly Task[] workers;

    /// <param name="forward">Inputs [B] -> results [B], one pass (e.g. histories -> states [B][D]).</param>
    /// <param name="observe">Called after each pass with the batch size and the longest time a request of it waited in the queue.</param>
    /// <param name="workers">Batches computed at once (each on its own thread; with one libtorch thread each, one per core).</param>
    public DynamicBatcher(Func<IReadOnlyList<TInput>, TResult[]> forward, int maxBatch, TimeSpan maxWait, Action<int, TimeSpan>? observe = null, int workers = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatch, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(workers, 1);
        this.forward = forward;
        this.observe = observe;
        MaxBatch = maxBatch;
        MaxWait = maxWait;
        this.workers = [.. Enumerable.Range(0, workers).Select(_ => Task.Factory.StartNew(Run, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap())];
    }

    public int MaxBatch { get; }

    public TimeSpan MaxWait { get; }

    /// <summary>The result of one input, computed in a batch with whatever else is queued; null when the batcher is closed.</summary>
    public Task<TResult>? RunAsync(TInput input)
    {
        var pending = new Pending(input, new TaskCompletionSource<TResult>(TaskCreationOptions.RunContinuationsAsynchronously), Stopwatch.GetTimestamp());
        return queue.Writer.TryWrite(pending) ? pending.Result.Task : null;
    }

    /// <summary>Accepts no new requests; the queued ones are still answered. Returns when the worker has stopped.</summary>
    public Task Complete()
    {
        queue.Writer.TryComplete();
        return Task.WhenAll(workers);
    }

    private async Task Run()
    {
        var reader = queue.Reader;
        var batch = new List<Pending>(MaxBatch);
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            batch.Clear();
            var deadline = Stopwatch.GetTimestamp() + (long)(MaxWait.TotalSeconds * Stopwatch.Frequency);
            while (batch.Count < MaxBatch)
            {
                if (reader.TryRead(out var next))
                {
                    batch.Add(next);
                    continue;
                }

                var left = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), deadline);
                if (batch.Count == 0 || left <= TimeSpan.Zero || !await WaitForMore(reader, left).ConfigureAwait(false))
                {
                    break;
                }
            }

            if (batch.Count == 0)
            {
                continue;
            }

            var waited = Stopwatch.GetElapsedTime(batch.Min(p => p.Queued));
            try
            {
                var results = forward(batch.Select(p => p.Input).ToArray());
                for (var i = 0; i < batch.Count; i++)
                {
                    batch[i].Result.TrySetResult(results[i]);
                }
            }
            catch (Exception e)
            {
                foreach (var pending in batch)
                {
                    pending.Result.TrySetException(e);
                }
            }

            observe?.Invoke(batch.Count, waited);
        }
    }

    private static async Task<bool> WaitForMore(ChannelReader<Pending> reader, TimeSpan left)
    {
        using var timeout = new CancellationTokenSource(left);
        try
        {
            return await reader.WaitToReadAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private sealed record Pending(TInput Input, TaskCompletionSource<TResult> Result, long Queued);
}
