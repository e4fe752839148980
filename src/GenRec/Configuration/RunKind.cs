namespace GenRec.Configuration;

/// <summary>What a run trains; a config's <c>kind</c> (default <c>retrieval</c>) picks the trainer.</summary>
public enum RunKind
{
    /// <summary>A sequential retrieval model (SASRec, HSTU, GRU4Rec, BERT4Rec, LLM-ESR): <see cref="RunConfig"/>.</summary>
    Retrieval,

    /// <summary>The HSTU ranking model (task probabilities of given candidates).</summary>
    Ranking,

    /// <summary>TIGER: semantic-ID generative retrieval.</summary>
    Tiger,
}
