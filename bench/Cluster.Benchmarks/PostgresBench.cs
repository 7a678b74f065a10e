namespace Cluster.Benchmarks;

/// <summary>Where the PostgreSQL benchmarks connect: the Npgsql connection string in CLUSTER_BENCH_POSTGRES.</summary>
internal static class PostgresBench
{
    public const string Variable = "CLUSTER_BENCH_POSTGRES";

    public static string ConnectionString =>
        Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } s
            ? s
            : throw new InvalidOperationException(
                $"Set {Variable} to an Npgsql connection string of an empty scratch database (its Maximum Pool Size at least 140: 128 receivers read at once).");
}
