using System.IO.Compression;

namespace GenRec.Data.Download;

/// <summary>
/// Downloads a public dataset into a folder and checks it: the GroupLens archives against the MD5
/// GroupLens publishes beside them (and ML-1M's ratings.dat against its known git blob id);
/// the Amazon 2014 files, which have no published digest, against a SHA-256 the user gives, or
/// their SHA-256 is recorded in <c>&lt;file&gt;.sha256</c> and checked on every later call.
/// Files are written through a temporary name and renamed when complete.
/// </summary>
internal sealed class DatasetDownloader(HttpClient http)
{
    public async Task<string> DownloadAsync(string name, string folder, string? expectedSha256, IProgress<(long Done, long? Total)>? progress, Action<string> log, CancellationToken cancel)
    {
        var source = DownloadSource.Find(name);
        Directory.CreateDirectory(folder);
        var file = Path.Combine(folder, Path.GetFileName(new Uri(source.Url).LocalPath));
        if (!File.Exists(file))
        {
            log($"downloading {source.Url}");
            await FetchAsync(source.Url, file, progress, cancel);
        }
        else
        {
            log($"{file} exists; checking it");
        }

        await VerifyAsync(source, file, expectedSha256 ?? source.Sha256, log, cancel);
        if (!source.IsZip)
        {
            return file;
        }

        var target = Path.Combine(folder, name);
        if (!Directory.Exists(target))
        {
            var temp = target + ".partial";
            if (Directory.Exists(temp))
            {
                Directory.Delete(temp, recursive: true);
            }

            ZipFile.ExtractToDirectory(file, temp);
            var inner = Path.Combine(temp, name);
            Directory.Move(Directory.Exists(inner) ? inner : temp, target);
            if (Directory.Exists(temp))
            {
                Directory.Delete(temp, recursive: true);
            }

            log($"unpacked to {target}");
        }

        if (source.CheckedFile is { } checkedFile && source.CheckedFileGitBlob is { } blob)
        {
            var path = Path.Combine(folder, checkedFile);
            Checksums.Verify("git blob id", path, blob, Checksums.GitBlob(path));
            log($"{checkedFile}: git blob {blob} ok");
        }

        return target;
    }

    private async Task VerifyAsync(DownloadSource source, string file, string? expectedSha256, Action<string> log, CancellationToken cancel)
    {
        if (source.Md5Url is { } md5Url)
        {
            var expected = Checksums.ParseMd5File(await http.GetStringAsync(md5Url, cancel));
            Checksums.Verify("MD5", file, expected, Checksums.Md5(file));
            log($"MD5 {expected} ok (published at {md5Url})");
            return;
        }

        var actual = Checksums.Sha256(file);
        var record = file + ".sha256";
        if (expectedSha256 is not null)
        {
            Checksums.Verify("SHA-256", file, expectedSha256, actual);
            log($"SHA-256 {actual} ok");
        }
        else if (File.Exists(record))
        {
            Checksums.Verify("SHA-256", file, File.ReadAllText(record).Trim(), actual);
            log($"SHA-256 {actual} matches {record}");
        }
        else
        {
            log($"no published checksum for {source.Name}; SHA-256 {actual} recorded in {record} and checked from now on (pass --sha256 to pin a known value)");
        }

        Util.AtomicFile.WriteAllText(record, actual + "\n");
    }

    private async Task FetchAsync(string url, string file, IProgress<(long, long?)>? progress, CancellationToken cancel)
    {
        using var response = await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, cancel);
        response.EnsureSuccessStatusCode();
        var total = response.Content.Headers.ContentLength;
        var temp = file + ".download";
        await using (var input = await response.Content.ReadAsStreamAsync(cancel))
        await using (var output = File.Create(temp))
        {
            var buffer = new byte[1 << 16];
            long done = 0;
            int read;
            while ((read = await input.ReadAsync(buffer, cancel)) > 0)
            {
                await output.WriteAsync(buffer.AsMemory(0, read), cancel);
                done += read;
                progress?.Report((done, total));
            }
        }

        File.Move(temp, file, overwrite: true);
    }
}
