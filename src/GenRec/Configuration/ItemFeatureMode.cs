namespace GenRec.Configuration;

/// <summary>How an item feature joins the item embedding (<c>model.features.item_mode</c>).</summary>
public enum ItemFeatureMode
{
    /// <summary>Added to the ID embedding.</summary>
    Sum,

    /// <summary>Instead of the ID embedding.</summary>
    Categorical,
}
