using System.Text.Json.Nodes;

namespace Cluster.Deploy.Tests.Kubernetes;

/// <summary>Production: a real cluster on PostgreSQL, its credentials never in the repository.</summary>
public sealed class ProdOverlayTests
{
    private static readonly string[] SecretWords = ["token", "password", "secret", "connectionstrings", "apikey"];

    private readonly Manifest _manifest = Overlays.Render("prod");

    [Fact]
    public void Runs_at_least_three_silos_spread_over_nodes()
    {
        var silo = Workload.In(_manifest);
        var hpa = Assert.Single(_manifest.OfKind("HorizontalPodAutoscaler"));
        Assert.True((long?)hpa["spec"]!["minReplicas"] >= 3, "prod's autoscaler may go below three silos");
        Assert.True((long?)silo.Object["spec"]!["replicas"] is null or >= 3, "prod's Deployment starts below three silos");
        var preferred = silo.Pod["affinity"]?["podAntiAffinity"]?["preferredDuringSchedulingIgnoredDuringExecution"]?.AsArray();
        Assert.True(preferred is not null, "prod has no pod anti-affinity");
        Assert.Contains(preferred!, t => (string?)t!["podAffinityTerm"]!["topologyKey"] == "kubernetes.io/hostname"
            && silo.Selects(t["podAffinityTerm"]!["labelSelector"]));
        // A rollout adds the new silo before an old one leaves.
        Assert.Equal(0L, (long?)silo.Object["spec"]!["strategy"]?["rollingUpdate"]?["maxUnavailable"]);
    }

    [Fact]
    public void Takes_the_cluster_connection_string_from_a_required_external_secret()
    {
        var silo = Workload.In(_manifest);
        var reference = silo.EnvVar("ConnectionStrings__Cluster")?["valueFrom"]?["secretKeyRef"];
        Assert.True(reference is not null, "prod does not read ConnectionStrings__Cluster from a Secret");
        Assert.False((bool?)reference!["optional"] ?? false, "optional in prod: a missing secret would start each silo on its own embedded store");
        Assert.Equal("ConnectionStrings__Cluster", (string?)reference["key"]);
        Assert.True(OverlayTests.ClusterMode(_manifest, silo));
        Assert.NotNull(silo.EnvVar("Auth__AdminToken")?["valueFrom"]?["secretKeyRef"]);
        Assert.NotEqual((string?)silo.PodLabels["orleans/clusterId"], (string?)Workload.In(Overlays.Render("dev")).PodLabels["orleans/clusterId"]);
    }

    [Fact]
    public void Contains_no_secret_values()
    {
        Assert.Empty(_manifest.OfKind("Secret"));
        var silo = Workload.In(_manifest);
        foreach (var entry in silo.Env)
        {
            var name = ((string)entry["name"]!).ToLowerInvariant();
            Assert.False(entry["value"] is not null && SecretWords.Any(name.Contains), $"{entry["name"]} has a literal value in prod");
        }
        foreach (var map in _manifest.OfKind("ConfigMap"))
        {
            foreach (var (key, value) in map["data"]?.AsObject() ?? new JsonObject())
            {
                Assert.False(SecretWords.Any(key.ToLowerInvariant().Contains), $"ConfigMap {map["metadata"]!["name"]} holds {key}");
                Assert.DoesNotContain("password=", value?.ToString().ToLowerInvariant() ?? "", StringComparison.Ordinal);
            }
        }
    }
}
