namespace GenRec.Training;

/// <summary>Draws a run's training loss and a validation metric (NDCG@10 by default) per epoch to a PNG with ScottPlot.</summary>
internal static class TrainingCurve
{
    public static void Save(IReadOnlyList<EpochRecord> records, string path, string title, string metric = "ndcg@10")
    {
        if (records.Count == 0)
        {
            return;
        }

        var plot = new ScottPlot.Plot();
        var epochs = records.Select(r => (double)r.Epoch).ToArray();
        var loss = plot.Add.Scatter(epochs, records.Select(r => r.TrainLoss).ToArray());
        loss.LegendText = "train loss";
        var validated = records.Where(r => r.Validation is not null && r.Validation.ContainsKey(metric)).ToArray();
        if (validated.Length > 0)
        {
            var ndcg = plot.Add.Scatter(validated.Select(r => (double)r.Epoch).ToArray(), validated.Select(r => r.Validation![metric]).ToArray());
            ndcg.LegendText = $"valid {metric}";
            var right = plot.Axes.Right;
            ndcg.Axes.YAxis = right;
            right.Label.Text = metric;
        }

        plot.Axes.Bottom.Label.Text = "epoch";
        plot.Axes.Left.Label.Text = "loss";
        plot.Title(title);
        plot.ShowLegend();
        var temp = path + ".tmp.png";
        plot.SavePng(temp, 800, 500);
        File.Move(temp, path, overwrite: true);
    }
}
