using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Diagnostics;

namespace GenRec.Cli.Bench;

/// <summary>
/// One step of an experiment run as its own <c>genrec</c> process of this same build. Each step starts with fresh
/// libtorch state (threads, random generator, heap), a crash or an out-of-memory ends that step alone, steps can run
/// side by side (<c>bench llm-esr --jobs</c>), and arms that differ in how a process is started (allocator, MKL code
/// path: <c>bench fast-paths</c>) are set in the child's environment, the one place such settings live.
/// </summary>
internal static class GenRecChild
{
    /// <summary>
    /// The command line that starts this program again: its apphost (or the .NET tool's), else
    /// <c>dotnet GenRec.Cli.dll</c> (started through <c>dotnet</c>, or hosted by another program such as a test host).
    /// </summary>
    public static (string FileName, string[] Prefix) Self()
    {
        var process = Environment.ProcessPath;
        var ownHost = process is not null && System.Reflection.Assembly.GetEntryAssembly() == typeof(GenRecChild).Assembly && Path.GetFileNameWithoutExtension(process) != "dotnet";
        if (ownHost)
        {
            return (process!, []);
        }

        var dotnet = process is not null && Path.GetFileNameWithoutExtension(process) == "dotnet" ? process : Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";
        return (dotnet, [typeof(GenRecChild).Assembly.Location]);
    }

    /// <summary>The one-line summaries (<c>... -&gt; file</c>) and errors of a step: what the bench scripts printed.</summary>
    public static bool IsSummary(string line) =>
        line.Contains("->", StringComparison.Ordinal) || line.Contains("error", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Runs <c>genrec &lt;arguments&gt;</c> and waits for it; each output line goes to <paramref name="onLine"/> (default:
    /// summaries to the console). A variable set to null in <paramref name="environment"/> is removed from the child's.
    /// Ctrl+C reaches the child through the terminal's process group; it stops cleanly (checkpoint written) and so does this.
    /// </summary>
    public static int Run(IEnumerable<string> arguments, IReadOnlyDictionary<string, string?>? environment = null, Action<string>? onLine = null, string? fileName = null, string? workingDirectory = null)
    {
        var start = StartInfo(arguments, environment, fileName, workingDirectory);
        onLine ??= line =>
        {
            if (IsSummary(line))
            {
                Console.WriteLine(line);
            }
        };
        var gate = new object();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => { if (e.Data is { } line) { lock (gate) { onLine(line); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is { } line) { lock (gate) { onLine(line); } } };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        process.WaitForExit();
        return process.ExitCode;
    }

    /// <summary>
    /// How to start <c>genrec &lt;arguments&gt;</c> (or <paramref name="fileName"/> with them), output redirected; a variable
    /// set to null in <paramref name="environment"/> is removed from the child's.
    /// </summary>
    public static ProcessStartInfo StartInfo(IEnumerable<string> arguments, IReadOnlyDictionary<string, string?>? environment = null, string? fileName = null, string? workingDirectory = null)
    {
        var (self, prefix) = Self();
        var start = new ProcessStartInfo(fileName ?? self) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (workingDirectory is not null)
        {
            start.WorkingDirectory = workingDirectory;
        }

        foreach (var argument in fileName is null ? prefix.Concat(arguments) : arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                start.Environment.Remove(name);
            }
            else
            {
                start.Environment[name] = value;
            }
        }

        return start;
    }

    /// <summary>As <see cref="Run"/>, and an exit status other than 0 is an error naming the step.</summary>
    public static void RunChecked(string step, IEnumerable<string> arguments, IReadOnlyDictionary<string, string?>? environment = null, Action<string>? onLine = null)
    {
        var status = Run(arguments, environment, onLine);
        if (status != 0)
        {
            throw new InvalidOperationException($"{step} failed (exit status {status}); its output is above");
        }
    }

    /// <summary>
    /// Starts a server (<c>genrec serve</c>, or <paramref name="fileName"/> such as <c>dotnet WebSample.dll</c>) without
    /// waiting for it; its standard error goes to <paramref name="onError"/>, its output is dropped.
    /// </summary>
    public static Process StartServer(IEnumerable<string> arguments, IReadOnlyDictionary<string, string?>? environment = null, string? fileName = null, Action<string>? onError = null)
    {
        var server = Process.Start(StartInfo(arguments, environment, fileName)) ?? throw new InvalidOperationException($"could not start {fileName ?? "genrec serve"}");
        server.OutputDataReceived += (_, _) => { };
        server.ErrorDataReceived += (_, e) =>
        {
            if (!string.IsNullOrWhiteSpace(e.Data))
            {
                onError?.Invoke(e.Data);
            }
        };
        server.BeginOutputReadLine();
        server.BeginErrorReadLine();
        return server;
    }

    /// <summary>Waits until the server answers <c>GET /ready</c> with 200 (client's base address), at most 3 minutes.</summary>
    public static async Task WaitReady(HttpClient client, Process server, string name, CancellationToken cancel = default)
    {
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < TimeSpan.FromMinutes(3))
        {
            if (server.HasExited)
            {
                throw new InvalidOperationException($"{name} exited with {server.ExitCode} before it was ready");
            }

            try
            {
                using var response = await client.GetAsync("ready", cancel);
                if (response.StatusCode == System.Net.HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(250, cancel);
        }

        throw new InvalidOperationException($"{name} was not ready within 3 minutes");
    }

    /// <summary>The environment of a clean start: no preload or allocator settings inherited from this process.</summary>
    public static Dictionary<string, string?> CleanStart() =>
        new() { ["LD_PRELOAD"] = null, ["MALLOC_CONF"] = null, [JemallocRelaunch.MarkerVariable] = null };

    /// <summary>The default folder of long runs' run folders, outside the work tree.</summary>
    public static string DefaultRuns() => Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), "genrec-runs");

    /// <summary>Stops a server child: SIGTERM, then killed if it has not exited within 20 s.</summary>
    public static async Task Stop(Process server)
    {
        if (server.HasExited)
        {
            return;
        }

        using (var term = Process.Start("kill", ["-TERM", server.Id.ToString(CultureInfo.InvariantCulture)]))
        {
            await term.WaitForExitAsync();
        }

        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        try
        {
            await server.WaitForExitAsync(wait.Token);
        }
        catch (OperationCanceledException)
        {
            server.Kill(entireProcessTree: true);
        }
    }

    /// <summary>A free loopback port.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>A POST to an admin endpoint of a server child with its bearer token: status, body and seconds to the answer.</summary>
    public static async Task<(int Status, string Body, double Seconds)> PostAdmin(HttpClient client, string token, string path, object body, CancellationToken cancel)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = System.Net.Http.Json.JsonContent.Create(body) };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        var watch = Stopwatch.StartNew();
        using var response = await client.SendAsync(request, cancel);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync(cancel), watch.Elapsed.TotalSeconds);
    }
}
