using Cluster.Grains.Runtime;
using Cluster.Ingest.Posts;

namespace Cluster.Silo.Operations;

/// <summary>/healthz (alive), /readyz (accepting ingest), /metrics (Prometheus). No authentication.</summary>
internal static class OperationsEndpoints
{
    public static IEndpointRouteBuilder MapOperations(this IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", () => TypedResults.Text("ok"));
        app.MapGet("/readyz", (IngestGate gate, GrainRuntime runtime) =>
            gate.IsOpen && runtime.IsRunning
                ? Results.Text("ready")
                : Results.Text("not ready", statusCode: StatusCodes.Status503ServiceUnavailable));
        app.MapGet("/metrics", (PrometheusExporter exporter) =>
            TypedResults.Text(exporter.Scrape(), "text/plain; version=0.0.4; charset=utf-8"));
        return app;
    }
}
