namespace GenRec.Serving;

/// <summary>
/// A validated <c>/recommend</c> for an <see cref="IRetriever"/>: the history (a known user's stored one when
/// <paramref name="User"/> is not -1), how many items, whether the history's items are left out, an unseen user's
/// feature value ids, and for a generative model the beam width (null: the server's).
/// </summary>
internal sealed record RetrievalQuery(int[] History, int K, bool FilterHistory = true, int User = -1, int[]? UserFeatures = null, int? Beams = null);
