using GenRec.Data.Loaders;

namespace GenRec.Data;

/// <summary>
/// Finds the interaction file and item metadata of a dataset given as a file or a folder, and
/// decides its format when it is not given. Folder rules, first match wins: <c>ratings.dat</c>
/// (MovieLens .dat), <c>ratings.csv</c> (MovieLens csv), <c>sasrec_format.csv</c>,
/// <c>ratings_*.csv</c> (Amazon 2014), a single <c>*.txt</c> of integer sequences. Metadata:
/// <c>movies.dat</c>, <c>movies.csv</c> or <c>items.jsonl</c> beside the interactions.
/// </summary>
internal static class DatasetLocator
{
    private static readonly string[] MetadataNames = ["movies.dat", "movies.csv", "items.jsonl"];

    public static DatasetFiles Locate(string path, DataFormat format = DataFormat.Auto, string? metadata = null)
    {
        string interactions;
        if (Directory.Exists(path))
        {
            (interactions, var detected) = FindInFolder(path, format);
            format = format == DataFormat.Auto ? detected : format;
        }
        else if (File.Exists(path))
        {
            interactions = path;
            if (format == DataFormat.Auto)
            {
                format = DetectFile(path);
            }
        }
        else
        {
            throw new FileNotFoundException($"dataset not found: '{path}' is neither a file nor a folder", path);
        }

        if (metadata is not null && !File.Exists(metadata))
        {
            throw new FileNotFoundException($"item metadata file not found: {metadata}", metadata);
        }

        metadata ??= MetadataNames.Select(n => Path.Combine(Path.GetDirectoryName(Path.GetFullPath(interactions))!, n)).FirstOrDefault(File.Exists);
        Util.UnixFile.RequireRegular(interactions, "interaction file");                 // a FIFO would hang the loader (a path recorded in a checkpoint, too)
        if (metadata is not null)
        {
            Util.UnixFile.RequireRegular(metadata, "item metadata file");
        }

        return new DatasetFiles(format, interactions, metadata);
    }

    public static InteractionLog LoadInteractions(DatasetFiles files) => files.Format switch
    {
        DataFormat.MovieLensDat => MovieLensDatLoader.LoadRatings(files.Interactions),
        DataFormat.MovieLensCsv => MovieLensCsvLoader.LoadRatings(files.Interactions),
        DataFormat.SequenceText => SequenceTextLoader.Load(files.Interactions),
        DataFormat.SasRecCsv => SasRecFormatCsvLoader.Load(files.Interactions),
        DataFormat.AmazonRatings => AmazonRatingsLoader.Load(files.Interactions),
        _ => throw new ArgumentException($"format {files.Format} cannot be loaded; give a concrete format"),
    };

    public static Dictionary<string, ItemMetadata> LoadMetadata(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".dat" => MovieLensDatLoader.LoadMovies(path),
        ".csv" => MovieLensCsvLoader.LoadMovies(path),
        ".jsonl" or ".json" => JsonLinesMetadataLoader.Load(path),
        _ => throw new ArgumentException($"unknown item metadata format for '{path}': expected movies.dat, movies.csv or a .jsonl file"),
    };

    private static (string Path, DataFormat Format) FindInFolder(string folder, DataFormat format)
    {
        string? Try(string name) => File.Exists(Path.Combine(folder, name)) ? Path.Combine(folder, name) : null;

        if (format is DataFormat.Auto or DataFormat.MovieLensDat && Try("ratings.dat") is { } dat)
        {
            return (dat, DataFormat.MovieLensDat);
        }

        if (format is DataFormat.Auto or DataFormat.MovieLensCsv && Try("ratings.csv") is { } csv)
        {
            return (csv, DataFormat.MovieLensCsv);
        }

        if (format is DataFormat.Auto or DataFormat.SasRecCsv && Try("sasrec_format.csv") is { } sasrec)
        {
            return (sasrec, DataFormat.SasRecCsv);
        }

        if (format is DataFormat.Auto or DataFormat.AmazonRatings)
        {
            var amazon = Directory.GetFiles(folder, "ratings_*.csv").Order(StringComparer.Ordinal).ToArray();
            if (amazon.Length == 1)
            {
                return (amazon[0], DataFormat.AmazonRatings);
            }

            if (amazon.Length > 1)
            {
                throw new ArgumentException($"folder '{folder}' holds several Amazon rating files ({string.Join(", ", amazon.Select(Path.GetFileName))}); name one");
            }
        }

        if (format is DataFormat.Auto or DataFormat.SequenceText)
        {
            var texts = Directory.GetFiles(folder, "*.txt").Where(LooksLikeSequences).Order(StringComparer.Ordinal).ToArray();
            if (texts.Length == 1)
            {
                return (texts[0], DataFormat.SequenceText);
            }

            if (texts.Length > 1)
            {
                throw new ArgumentException($"folder '{folder}' holds several sequence files ({string.Join(", ", texts.Select(Path.GetFileName))}); name one");
            }
        }

        throw new ArgumentException($"no interaction file found in '{folder}' (looked for ratings.dat, ratings.csv, sasrec_format.csv, ratings_*.csv, or a *.txt of 'user item item ...' lines)");
    }

    private static DataFormat DetectFile(string path)
    {
        var name = Path.GetFileName(path).ToLowerInvariant();
        if (name.EndsWith(".dat", StringComparison.Ordinal))
        {
            return DataFormat.MovieLensDat;
        }

        if (name.EndsWith(".txt", StringComparison.Ordinal))
        {
            return DataFormat.SequenceText;
        }

        if (name.EndsWith(".csv", StringComparison.Ordinal))
        {
            if (name.StartsWith("sasrec_format", StringComparison.Ordinal))
            {
                return DataFormat.SasRecCsv;
            }

            var header = File.ReadLines(path).FirstOrDefault() ?? "";
            return header.StartsWith("userId,", StringComparison.OrdinalIgnoreCase) ? DataFormat.MovieLensCsv : DataFormat.AmazonRatings;
        }

        throw new ArgumentException($"cannot tell the format of '{path}' from its name; pass --format");
    }

    private static bool LooksLikeSequences(string path)
    {
        var first = File.ReadLines(path).FirstOrDefault(l => !string.IsNullOrWhiteSpace(l));
        if (first is null)
        {
            return false;
        }

        var tokens = first.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        return tokens.Length >= 2 && tokens.All(t => t.All(char.IsAsciiDigit));
    }
}
