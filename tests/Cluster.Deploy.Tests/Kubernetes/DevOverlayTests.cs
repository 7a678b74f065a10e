using System.Text;

namespace Cluster.Deploy.Tests.Kubernetes;

/// <summary>Development: one silo on the embedded store, on a claim, with a generated throwaway admin token.</summary>
public sealed class DevOverlayTests
{
    private readonly Manifest _manifest = Overlays.Render("dev");

    [Fact]
    public void Runs_one_silo_on_the_embedded_store_kept_on_a_claim()
    {
        var silo = Workload.In(_manifest);
        Assert.False(OverlayTests.ClusterMode(_manifest, silo), "dev gets a cluster connection string; its single-silo pins would then be needless");
        var data = silo.Pod["volumes"]!.AsArray().Single(v => (string?)v!["name"] == "data")!;
        Assert.Null(data["emptyDir"]);
        var claim = (string?)data["persistentVolumeClaim"]?["claimName"];
        Assert.True(claim is not null, "dev's data volume is not a claim: a pod restart would lose the embedded store");
        var pvc = _manifest.Single("PersistentVolumeClaim", claim!);
        Assert.Contains("ReadWriteOnce", pvc["spec"]!["accessModes"]!.AsArray().Select(m => (string?)m));
    }

    [Fact]
    public void Generates_its_secret_with_an_obviously_fake_admin_token()
    {
        var secret = Assert.Single(_manifest.OfKind("Secret"));
        var token = Encoding.UTF8.GetString(Convert.FromBase64String((string)secret["data"]!["Auth__AdminToken"]!));
        Assert.Contains("not-a-secret", token, StringComparison.Ordinal);
        // The generated name carries a content hash; the reference must follow it.
        var silo = Workload.In(_manifest);
        Assert.Equal((string?)secret["metadata"]!["name"], (string?)silo.EnvVar("Auth__AdminToken")!["valueFrom"]!["secretKeyRef"]!["name"]);
    }
}
