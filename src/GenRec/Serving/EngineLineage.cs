namespace GenRec.Serving;

/// <summary>Where a loaded engine comes from: its checkpoint file as read, and the engine it replaces (null: none).</summary>
internal sealed record EngineLineage(CheckpointStamp Stamp, RetrievalEngine? Previous);
