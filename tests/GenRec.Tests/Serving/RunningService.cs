using GenRec.AspNetCore;
using Microsoft.AspNetCore.Builder;

namespace GenRec.Tests.Serving;

/// <summary>The HTTP service on a real Kestrel at a free loopback port, with a client pointed at it; disposing stops both.</summary>
internal sealed class RunningService : IAsyncDisposable
{
    private RunningService(WebApplication app) =>
        (App, Client) = (app, new HttpClient { BaseAddress = RecommendationService.Address(app) });

    public WebApplication App { get; }

    public HttpClient Client { get; }

    /// <summary>Builds and starts the service on a free port (<paramref name="options"/>' port is ignored).</summary>
    public static async Task<RunningService> Start(ModelHost host, GenRecServingOptions options)
    {
        var app = RecommendationService.Build(host, options with { Port = 0 });
        await app.StartAsync();
        return new RunningService(app);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }
}
