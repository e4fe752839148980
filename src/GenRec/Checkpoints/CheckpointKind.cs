namespace GenRec.Checkpoints;

/// <summary>The models a GenRec checkpoint can hold, told apart by the file's magic string.</summary>
internal enum CheckpointKind
{
    /// <summary>A sequential retrieval model (SASRec, HSTU, GRU4Rec, BERT4Rec, LLM-ESR): <see cref="RetrievalCheckpoint"/>.</summary>
    Retrieval,

    /// <summary>An HSTU ranking model: <see cref="RankingCheckpoint"/>.</summary>
    Ranking,

    /// <summary>A TIGER encoder-decoder: <see cref="TigerCheckpoint"/> (its config and semantic IDs live in the run folder).</summary>
    Tiger,
}
