using Cluster.Silo.Admin;
using Cluster.Silo.Rumors;
using Cluster.Silo.Decisions;
using Cluster.Silo.Lexicons;
using Cluster.Silo.Operations;

namespace Cluster.Silo.Hosting;

internal static class SiloSetup
{
    /// <summary>Feed signalling, lexicon catalog, metrics, and the lifecycle service (registered last: starts last, stops first).</summary>
    public static IServiceCollection AddSiloServices(this IServiceCollection services)
    {
        services.AddSingleton<FeedSignal>();
        services.AddSingleton<LexiconCatalog>();
        services.AddSingleton<RumorCatalog>();
        services.AddSingleton<AdminChangeSignal>();
        services.AddHostedService<AdminSync>();
        services.AddSingleton<ClusterMetrics>();
        services.AddSingleton<PrometheusExporter>();
        services.AddSingleton<SiloLifecycle>();
        services.AddHostedService(sp => sp.GetRequiredService<SiloLifecycle>());
        return services;
    }

    /// <summary>
    /// Creates the observers of stored decisions now, so they count and signal from the first post on rather than from
    /// the first scrape or feed read.
    /// </summary>
    public static WebApplication ActivateObservers(this WebApplication app)
    {
        app.Services.GetRequiredService<PrometheusExporter>();
        app.Services.GetRequiredService<FeedSignal>();
        return app;
    }

    /// <summary>The default listen address when neither --urls nor ASPNETCORE_URLS is given.</summary>
    public static WebApplicationBuilder UseDefaultUrl(this WebApplicationBuilder builder)
    {
        if (string.IsNullOrEmpty(builder.Configuration["urls"]))
        {
            builder.WebHost.UseUrls("http://127.0.0.1:5080");
        }
        return builder;
    }
}
