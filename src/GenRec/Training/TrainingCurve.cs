namespace GenRec.Training;

/// <summary>Draws a run's training loss and validation NDCG@10 per epoch to a PNG with ScottPlot.</summary>
internal static class TrainingCurve
{
    public static void Save(IReadOnlyList<EpochRecord> records, string path, string title)
    {
        if (records.Count == 0)
        {
            return;
        }

        var plot = new ScottPlot.Plot();
        var epochs = records.Select(r => (double)r.Epoch).ToArray();
        var loss = plot.Add.Scatter(epochs, records.Select(r => r.TrainLoss).ToArray());
        loss.LegendText = "train loss";
        var validated = records.Where(r => r.Validation is not null && r.Validation.ContainsKey("ndcg@10")).ToArray();
        if (validated.Length > 0)
        {
            var ndcg = plot.Add.Scatter(validated.Select(r => (double)r.Epoch).ToArray(), validated.Select(r => r.Validation!["ndcg@10"]).ToArray());
            ndcg.LegendText = "valid ndcg@10";
            var right = plot.Axes.Right;
            ndcg.Axes.YAxis = right;
            right.Label.Text = "NDCG@10";
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
