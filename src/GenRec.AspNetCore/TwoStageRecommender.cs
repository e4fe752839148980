using System.Diagnostics;
using GenRec.Serving;

namespace GenRec.AspNetCore;

/// <summary>
/// <c>/recommend</c>, in one stage or two. One stage: retrieval's top k. Two stages (the HSTU paper's setting): retrieval's
/// top N, then the HSTU ranker scores all N in one batched pass (M-FALCON), and the answer is ordered by
/// score = sum over tasks t of w_t p_t (the ranker's task probabilities, weighted per server or per request), ties kept
/// in retrieval's order. With a deadline, ranking is skipped when the time already spent plus the ranking it would take
/// (estimated from the last rankings' time per candidate) passes it: retrieval's order answers, and the response says so.
/// </summary>
internal sealed class TwoStageRecommender(GenRecServingOptions options, ServiceMetrics metrics)
{
    private readonly RankingCost cost = new();

    /// <summary>The answer to a validated request (<paramref name="history"/> resolved, <paramref name="k"/> in range).</summary>
    public async Task<RecommendResponse> RecommendAsync(IRetriever engine, RankingEngine? ranker, int generation, RecommendRequest request, int[] history, int user, int[]? features, int k)
    {
        var filter = request.FilterHistory ?? true;
        var plan = Plan(engine, ranker, request, k, history.Length);
        var clock = Stopwatch.StartNew();
        var count = plan?.Retrieve ?? k;
        var beams = Beams(engine, request.Beams, count, plan is null ? "k" : "stages.retrieve");
        var retrieved = await engine.RetrieveAsync(new RetrievalQuery(history, count, filter, user, features, beams));
        if (plan is null)
        {
            return new RecommendResponse([.. retrieved.Select(r => new ScoredItemDto(r.Key, r.Label, r.Score))], history.Length, generation);
        }

        var retrieveTime = clock.Elapsed;
        metrics.Stage("retrieve", retrieveTime);
        StagesResponse Stages(bool ranked, string? fallback, TimeSpan? rankTime) =>
            new(retrieved.Count, ranked, fallback, retrieveTime.TotalMilliseconds, rankTime?.TotalMilliseconds, plan.Weights);
        RecommendResponse InRetrievalOrder(string? fallback) =>
            new([.. retrieved.Take(k).Select(r => new ScoredItemDto(r.Key, r.Label, r.Score, Stage: "retrieve"))], history.Length, generation, Stages(false, fallback, null));
        if (!plan.Rank || retrieved.Count == 0)
        {
            return InRetrievalOrder(null);
        }

        if (plan.Deadline is { } deadline && retrieveTime + cost.Estimate(retrieved.Count) > deadline)
        {
            metrics.Fallback("deadline");
            return InRetrievalOrder("deadline");
        }

        var rankClock = Stopwatch.StartNew();
        var candidates = retrieved.Select(r => r.Item).ToArray();
        var probabilities = ranker!.Score(history, plan.Ratings, plan.Timestamps, candidates);   // [N * T]
        var rankTime = rankClock.Elapsed;
        cost.Observe(candidates.Length, rankTime);
        metrics.Stage("rank", rankTime);
        metrics.Ranked(candidates.Length);
        var tasks = ranker.Tasks;
        var items = TwoStageOrder.Order(probabilities, candidates.Length, tasks, plan.Weights)
            .Take(k)
            .Select(x => new ScoredItemDto(
                retrieved[x.Index].Key,
                retrieved[x.Index].Label,
                x.Score,
                tasks.Select((t, j) => (t, p: probabilities[(x.Index * tasks.Length) + j])).ToDictionary(p => p.t, p => p.p),
                Stage: "rank",
                RetrievalScore: retrieved[x.Index].Score))
            .ToArray();
        return new RecommendResponse(items, history.Length, generation, Stages(true, null, rankTime));
    }

    // The beam width of a generative model's search (null: its default, at least the items asked); a 400 naming the field for any other model.
    private static int? Beams(IRetriever engine, int? beams, int count, string countField)
    {
        if (engine is not GenerativeEngine generative)
        {
            return beams is null ? null : throw new RequestException(400, "field 'beams': only for a generative (semantic-ID) model; this server retrieves from an index of item vectors");
        }

        if (beams is null)
        {
            return count <= generative.MaxBeams ? null
                : throw new RequestException(400, $"field '{countField}': {count} items need as many beams, and this server allows at most {generative.MaxBeams}");
        }

        if (beams < 1 || beams > generative.MaxBeams)
        {
            throw new RequestException(400, $"field 'beams': {beams} is out of range 1..{generative.MaxBeams}");
        }

        return beams >= count ? beams
            : throw new RequestException(400, $"field 'beams': {beams} beams give at most {beams} items, fewer than the {count} asked ('{countField}')");
    }

    private sealed record StagePlan(int Retrieve, bool Rank, IReadOnlyDictionary<string, float> Weights, TimeSpan? Deadline, float[]? Ratings, long[]? Timestamps);

    // Null: one stage. Every field is checked here, before any work, so a bad request is a 400 naming its field.
    private StagePlan? Plan(IRetriever engine, RankingEngine? ranker, RecommendRequest request, int k, int historyLength)
    {
        var twoStage = request.Stages is not null || (options.TwoStageRetrieve is not null && ranker is not null);
        if (!twoStage)
        {
            return request.TaskWeights is not null || request.DeadlineMs is not null
                ? throw new RequestException(400, $"field '{(request.TaskWeights is not null ? "task_weights" : "deadline_ms")}': only for a two-stage request (give 'stages', e.g. {{\"retrieve\": 200, \"rank\": true}})")
                : null;
        }

        var retrieve = request.Stages?.Retrieve ?? Math.Max(k, options.TwoStageRetrieve ?? 200);
        if (retrieve < k || retrieve > options.MaxCandidates)
        {
            throw new RequestException(400, $"field 'stages.retrieve': {retrieve} is out of range {k}..{options.MaxCandidates} (at least k, at most the server's candidate limit)");
        }

        var rank = request.Stages?.Rank ?? true;
        if (rank && ranker is null)
        {
            throw new RequestException(400, "field 'stages.rank': this server has no ranker (genrec serve --ranker <checkpoint>); ask for \"rank\": false or leave 'stages' out");
        }

        if (!rank)
        {
            return new StagePlan(retrieve, false, new Dictionary<string, float>(), null, null, null);
        }

        if (historyLength == 0)
        {
            throw new RequestException(400, "field 'history': the ranker reads a history of at least one item");
        }

        var weights = Weights(request.TaskWeights ?? options.TaskWeights, ranker!.Tasks, request.TaskWeights is not null ? "task_weights" : "the server's task weights");
        var deadline = request.DeadlineMs switch
        {
            null => options.RankDeadline,
            < 0 => throw new RequestException(400, $"field 'deadline_ms': {request.DeadlineMs} is negative"),
            var ms when ms > options.RequestTimeout.TotalMilliseconds => throw new RequestException(400, $"field 'deadline_ms': {ms} is past the request timeout ({options.RequestTimeout.TotalMilliseconds:F0} ms)"),
            var ms => TimeSpan.FromMilliseconds(ms.Value),
        };
        var (ratings, timestamps) = RequestValidator.RankingSignals(engine, ranker, request.User, request.Ratings, request.Timestamps, historyLength);
        return new StagePlan(retrieve, true, weights, deadline, ratings, timestamps);
    }

    // The weights of the ranker's tasks: every name a task, every value finite in [0, MaxTaskWeight], not all zero.
    private IReadOnlyDictionary<string, float> Weights(IReadOnlyDictionary<string, float>? given, string[] tasks, string field)
    {
        if (given is null)
        {
            return tasks.ToDictionary(t => t, _ => 1f, StringComparer.Ordinal);
        }

        foreach (var (task, weight) in given)
        {
            if (!tasks.Contains(task, StringComparer.Ordinal))
            {
                throw new RequestException(400, $"field '{field}': unknown task '{Util.QuotedText.Clip(task)}' (the ranker's tasks: {string.Join(", ", tasks)})");
            }

            if (!float.IsFinite(weight) || weight < 0 || weight > options.MaxTaskWeight)
            {
                throw new RequestException(400, $"field '{field}': the weight of '{task}' is {weight}, outside 0..{options.MaxTaskWeight}");
            }
        }

        return given.Values.Any(w => w > 0) ? given : throw new RequestException(400, $"field '{field}': every weight is 0, so every candidate would score the same");
    }
}
