namespace GenRec.AspNetCore;

/// <summary>What chooses the added items that take the places an answer keeps for them (<c>--new-item-order</c>).</summary>
internal enum NewItemOrder
{
    /// <summary>The added items nearest by text to the history's last item (the text floor's order): a new item has no interactions, only its text.</summary>
    Text,

    /// <summary>The added items the model scores best through their mapped rows (TIGER's rule as the paper states it).</summary>
    Model,
}
