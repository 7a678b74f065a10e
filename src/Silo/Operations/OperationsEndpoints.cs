using Cluster.Silo.Hosting;
using Orleans.Dashboard;

namespace Cluster.Silo.Operations;

/// <summary>/healthz (alive), /readyz (silo active and ingest open), /metrics (Prometheus), /dashboard (Orleans Dashboard, admin).</summary>
internal static class OperationsEndpoints
{
    public static IEndpointRouteBuilder MapOperations(this IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", () => TypedResults.Text("ok"));
        app.MapGet("/readyz", (SiloLifecycle lifecycle) =>
            lifecycle.IsReady
                ? Results.Text("ready")
                : Results.Text("not ready", statusCode: StatusCodes.Status503ServiceUnavailable));
        app.MapGet("/metrics", (PrometheusExporter exporter) =>
            TypedResults.Text(exporter.Scrape(), "text/plain; version=0.0.4; charset=utf-8"));
        app.MapOrleansDashboard(routePrefix: "/dashboard").RequireAuthorization(Cluster.Ingest.Auth.AuthPolicies.Admin);
        return app;
    }
}
