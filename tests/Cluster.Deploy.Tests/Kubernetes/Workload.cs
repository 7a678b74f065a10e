using System.Globalization;
using System.Text.Json.Nodes;

namespace Cluster.Deploy.Tests.Kubernetes;

/// <summary>The silo workload of a rendered overlay: its pod template, the silo container and the settings it gets.</summary>
internal sealed class Workload
{
    public const string Name = "screening-silo";

    private Workload(Manifest manifest, JsonObject obj)
    {
        Manifest = manifest;
        Object = obj;
        Pod = (JsonObject)obj["spec"]!["template"]!["spec"]!;
        PodLabels = (JsonObject)obj["spec"]!["template"]!["metadata"]!["labels"]!;
        Container = Pod["containers"]!.AsArray().Single(c => (string?)c!["name"] == "silo")!.AsObject();
    }

    public Manifest Manifest { get; }

    public JsonObject Object { get; }

    public string Kind => (string)Object["kind"]!;

    public JsonObject Pod { get; }

    public JsonObject PodLabels { get; }

    public JsonObject Container { get; }

    public static Workload In(Manifest manifest)
    {
        var found = manifest.Objects
            .Where(o => (string?)o["kind"] is "Deployment" or "StatefulSet" && (string?)o["metadata"]?["name"] == Name)
            .ToList();
        Assert.True(found.Count == 1, $"expected one Deployment or StatefulSet named {Name}, found {found.Count}");
        return new Workload(manifest, found[0]);
    }

    public IEnumerable<JsonObject> Env => Container["env"]?.AsArray().Select(e => e!.AsObject()) ?? [];

    public JsonObject? EnvVar(string name) => Env.SingleOrDefault(e => (string?)e["name"] == name);

    /// <summary>
    /// A setting as the process sees it: a literal env entry wins over the ConfigMaps of envFrom (Kubernetes' order).
    /// Null when neither sets it.
    /// </summary>
    public string? Setting(string name)
    {
        if (EnvVar(name) is { } entry && entry["value"] is { } value)
        {
            return (string?)value;
        }
        string? fromMaps = null;
        foreach (var source in Container["envFrom"]?.AsArray() ?? [])
        {
            if (source!["configMapRef"]?["name"] is { } mapName)
            {
                var map = Manifest.Single("ConfigMap", (string)mapName!);
                if (map["data"]?[name] is { } data)
                {
                    fromMaps = data.ToString();
                }
            }
        }
        return fromMaps;
    }

    /// <summary>How long the preStop hook holds the pod before SIGTERM: an exec sleep or the native sleep action.</summary>
    public int PreStopSeconds()
    {
        var preStop = Container["lifecycle"]?["preStop"];
        Assert.True(preStop is not null, "the silo container has no lifecycle.preStop");
        if (preStop!["sleep"]?["seconds"] is { } seconds)
        {
            return (int)(long)seconds;
        }
        var command = preStop["exec"]?["command"]?.AsArray().Select(c => (string)c!).ToList();
        Assert.True(command is ["sleep", _], $"preStop is neither a sleep action nor exec [sleep, N]: {preStop.ToJsonString()}");
        return int.Parse(command![1], CultureInfo.InvariantCulture);
    }

    public JsonNode Probe(string kind)
    {
        var probe = Container[kind];
        Assert.True(probe is not null, $"the silo container has no {kind}");
        return probe!;
    }

    public int ContainerPort(string name)
    {
        var port = Container["ports"]!.AsArray().SingleOrDefault(p => (string?)p!["name"] == name);
        Assert.True(port is not null, $"the silo container has no port named {name}");
        return (int)(long)port!["containerPort"]!;
    }

    /// <summary>Whether a selector's matchLabels are all carried by the pod template.</summary>
    public bool Selects(JsonNode? selector)
    {
        var labels = selector?["matchLabels"]?.AsObject();
        return labels is { Count: > 0 } && labels.All(l => (string?)PodLabels[l.Key] == (string?)l.Value);
    }
}
