using System.Globalization;
using System.Text.Json.Nodes;
using Cluster.Deploy.Tests.Image;

namespace Cluster.Deploy.Tests.Kubernetes;

/// <summary>What every overlay must render: checked on the output of kubectl kustomize, not on the source files.</summary>
public sealed class OverlayTests
{
    /// <summary>The host's drain bound when shutdownTimeoutSeconds is not set (HostOptions.ShutdownTimeout).</summary>
    private const int DefaultShutdownSeconds = 30;

    [Fact]
    public void Dev_and_prod_overlays_exist_and_every_overlay_renders()
    {
        Assert.Superset(new HashSet<string> { "dev", "prod" }, Overlays.Names.ToHashSet());
        foreach (var overlay in Overlays.Names)
        {
            var manifest = Overlays.Render(overlay);
            Assert.NotEmpty(manifest.Objects);
            foreach (var obj in manifest.Objects)
            {
                Assert.False(string.IsNullOrEmpty((string?)obj["apiVersion"]), $"{overlay}: an object without apiVersion");
                Assert.False(string.IsNullOrEmpty((string?)obj["metadata"]?["name"]), $"{overlay}: a {obj["kind"]} without a name");
                // Every object here is namespaced; an overlay that forgets its namespace lands in whatever is current.
                Assert.False(string.IsNullOrEmpty((string?)obj["metadata"]?["namespace"]), $"{overlay}: {obj["kind"]}/{obj["metadata"]?["name"]} has no namespace");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Overlays.All), MemberType = typeof(Overlays))]
    public void Probes_use_readyz_for_startup_and_readiness_and_the_local_healthz_for_liveness(string overlay)
    {
        var silo = Workload.In(Overlays.Render(overlay));
        Assert.Equal("/readyz", (string?)silo.Probe("startupProbe")["httpGet"]?["path"]);
        Assert.Equal("/readyz", (string?)silo.Probe("readinessProbe")["httpGet"]?["path"]);
        // Liveness must not depend on ingest, partitions or the database: a PostgreSQL outage would restart every silo.
        Assert.Equal("/healthz", (string?)silo.Probe("livenessProbe")["httpGet"]?["path"]);
        foreach (var kind in new[] { "startupProbe", "readinessProbe", "livenessProbe" })
        {
            var port = silo.Probe(kind)["httpGet"]!["port"]!;
            var number = port.GetValueKind() == System.Text.Json.JsonValueKind.String ? silo.ContainerPort((string)port!) : (int)(long)port;
            Assert.Equal(8080, number);
        }
        var urls = silo.Setting("ASPNETCORE_URLS") ?? Dockerfile.Load().Final.Env().GetValueOrDefault("ASPNETCORE_URLS");
        Assert.EndsWith(":8080", urls, StringComparison.Ordinal);
        var startup = silo.Probe("startupProbe");
        var budget = (long)startup["periodSeconds"]! * (long)startup["failureThreshold"]!;
        Assert.True(budget >= 60, $"{overlay}: the startup probe gives up after {budget} s; loading the default lexicon and joining take longer under load");
    }

    [Theory]
    [MemberData(nameof(Overlays.All), MemberType = typeof(Overlays))]
    public void The_grace_period_outlasts_the_prestop_sleep_and_the_drain(string overlay)
    {
        var silo = Workload.In(Overlays.Render(overlay));
        var preStop = silo.PreStopSeconds();
        Assert.InRange(preStop, 1, 30);
        Assert.True(silo.Setting("HostOptions__ShutdownTimeout") is null,
            "HostOptions__ShutdownTimeout is not bound by the host; set shutdownTimeoutSeconds");
        var drain = silo.Setting("shutdownTimeoutSeconds") is { } configured
            ? int.Parse(configured, CultureInfo.InvariantCulture)
            : DefaultShutdownSeconds;
        var grace = (long?)silo.Pod["terminationGracePeriodSeconds"] ?? 30;
        // The kubelet counts preStop inside the grace period; SIGKILL comes at its end, drained or not.
        Assert.True(grace > preStop + drain, $"{overlay}: terminationGracePeriodSeconds {grace} <= preStop {preStop} s + drain {drain} s");
    }

    [Theory]
    [MemberData(nameof(Overlays.All), MemberType = typeof(Overlays))]
    public void Cpu_is_requested_never_limited_and_memory_is_limited(string overlay)
    {
        var silo = Workload.In(Overlays.Render(overlay));
        var requests = silo.Container["resources"]?["requests"];
        var limits = silo.Container["resources"]?["limits"];
        Assert.True(requests?["cpu"] is not null, $"{overlay}: no cpu request");
        Assert.True(limits?["cpu"] is null, $"{overlay}: a cpu limit throttles membership probes and GC; request only");
        Assert.True(requests?["memory"] is not null && limits?["memory"] is not null, $"{overlay}: memory needs a request and a limit");
        Assert.True(Quantity.Parse(limits!["memory"]!.ToString()) >= Quantity.Parse(requests!["memory"]!.ToString()), $"{overlay}: memory limit below its request");
        Assert.True(Quantity.Parse(requests["cpu"]!.ToString()) > 0);
    }

    [Theory]
    [MemberData(nameof(Overlays.All), MemberType = typeof(Overlays))]
    public void The_silo_runs_non_root_on_a_read_only_root_with_writable_tmp_and_data(string overlay)
    {
        var silo = Workload.In(Overlays.Render(overlay));
        var pod = silo.Pod["securityContext"];
        var container = silo.Container["securityContext"];
        Assert.True((bool?)container?["runAsNonRoot"] ?? (bool?)pod?["runAsNonRoot"] ?? false, $"{overlay}: runAsNonRoot is not set");
        Assert.NotEqual(0L, (long?)container?["runAsUser"] ?? (long?)pod?["runAsUser"] ?? 1654);
        Assert.Equal("RuntimeDefault", (string?)container?["seccompProfile"]?["type"] ?? (string?)pod?["seccompProfile"]?["type"]);
        Assert.True((bool?)container?["readOnlyRootFilesystem"], $"{overlay}: the root filesystem is writable");
        Assert.False((bool?)container?["allowPrivilegeEscalation"] ?? true, $"{overlay}: privilege escalation is allowed");
        Assert.Contains("ALL", container?["capabilities"]?["drop"]?.AsArray().Select(c => (string?)c) ?? []);

        var mounts = silo.Container["volumeMounts"]!.AsArray().Select(m => ((string)m!["mountPath"]!).TrimEnd('/')).ToList();
        Assert.Contains("/tmp", mounts);
        // The silo creates its data directory 700 and tightens it at start; on a volume's root, owned by root, that
        // chmod fails. So the directory must lie strictly below a mount.
        var dataDir = silo.Setting("Silo__DataDir") ?? Dockerfile.Load().Final.Env()["Silo__DataDir"];
        Assert.Contains(mounts, m => dataDir.StartsWith(m + "/", StringComparison.Ordinal));
        Assert.DoesNotContain(dataDir.TrimEnd('/'), mounts);
    }

    [Theory]
    [MemberData(nameof(Overlays.All), MemberType = typeof(Overlays))]
    public void The_disruption_budget_and_the_autoscaler_target_the_silo_workload(string overlay)
    {
        var manifest = Overlays.Render(overlay);
        var silo = Workload.In(manifest);
        var pdb = Assert.Single(manifest.OfKind("PodDisruptionBudget"));
        Assert.True(silo.Selects(pdb["spec"]!["selector"]), $"{overlay}: the PodDisruptionBudget's selector misses the silo pods");
        Assert.Equal(1L, (long?)pdb["spec"]!["maxUnavailable"]);

        var hpa = Assert.Single(manifest.OfKind("HorizontalPodAutoscaler"));
        Assert.Equal("autoscaling/v2", (string?)hpa["apiVersion"]);
        var target = hpa["spec"]!["scaleTargetRef"]!;
        Assert.Equal(silo.Kind, (string?)target["kind"]);
        Assert.Equal(Workload.Name, (string?)target["name"]);
        Assert.Equal("apps/v1", (string?)target["apiVersion"]);
        var cpu = hpa["spec"]!["metrics"]!.AsArray().SingleOrDefault(m => (string?)m!["resource"]?["name"] == "cpu");
        Assert.True(cpu is not null, $"{overlay}: the autoscaler does not scale on cpu");
        Assert.Equal("Utilization", (string?)cpu!["resource"]!["target"]!["type"]);
        var min = (long?)hpa["spec"]!["minReplicas"] ?? 1;
        Assert.InRange(min, 1, (long)hpa["spec"]!["maxReplicas"]!);
        // The workload leaves the count to the autoscaler, or starts within its bounds.
        if ((long?)silo.Object["spec"]!["replicas"] is { } replicas)
        {
            Assert.InRange(replicas, min, (long)hpa["spec"]!["maxReplicas"]!);
        }
    }

    [Theory]
    [MemberData(nameof(Overlays.All), MemberType = typeof(Overlays))]
    public void The_silos_service_account_may_read_watch_and_label_pods_and_nothing_more(string overlay)
    {
        var manifest = Overlays.Render(overlay);
        var silo = Workload.In(manifest);
        var ns = (string?)silo.Object["metadata"]!["namespace"];
        var account = (string?)silo.Pod["serviceAccountName"];
        Assert.False(string.IsNullOrEmpty(account), $"{overlay}: the silo runs under the namespace's default account");
        var serviceAccount = manifest.Single("ServiceAccount", account!);
        // Kubernetes hosting reads the in-cluster token; a pod without it cannot call the API server.
        Assert.True((bool?)silo.Pod["automountServiceAccountToken"] ?? (bool?)serviceAccount["automountServiceAccountToken"] ?? true);

        var binding = manifest.OfKind("RoleBinding").SingleOrDefault(b =>
            b["subjects"]!.AsArray().Any(s => (string?)s!["kind"] == "ServiceAccount" && (string?)s["name"] == account
                && ((string?)s["namespace"] ?? ns) == ns));
        Assert.True(binding is not null, $"{overlay}: no RoleBinding names the ServiceAccount {account}");
        Assert.Equal(ns, (string?)binding!["metadata"]!["namespace"]);
        Assert.Equal("Role", (string?)binding["roleRef"]!["kind"]);
        var role = manifest.Single("Role", (string)binding["roleRef"]!["name"]!);
        Assert.Equal(ns, (string?)role["metadata"]!["namespace"]);

        var rules = role["rules"]!.AsArray().Select(r => r!.AsObject()).ToList();
        var podVerbs = rules
            .Where(r => r["apiGroups"]!.AsArray().Any(g => (string?)g == "") && r["resources"]!.AsArray().Any(x => (string?)x == "pods"))
            .SelectMany(r => r["verbs"]!.AsArray().Select(v => (string)v!))
            .ToHashSet();
        // KubernetesClusterAgent: get its pod, patch its labels, list and watch the cluster's pods.
        Assert.Superset(new HashSet<string> { "get", "list", "watch", "patch" }, podVerbs);
        // DeleteDefunctSiloPods stays off, so no delete; and no wildcard anywhere.
        Assert.DoesNotContain("delete", podVerbs);
        Assert.DoesNotContain(rules.SelectMany(r => r.Select(p => p.Value).OfType<JsonArray>().SelectMany(a => a)), v => (string?)v == "*");
    }

    [Theory]
    [MemberData(nameof(Overlays.All), MemberType = typeof(Overlays))]
    public void The_pods_carry_what_orleans_kubernetes_hosting_reads(string overlay)
    {
        var silo = Workload.In(Overlays.Render(overlay));
        foreach (var (label, variable) in new[] { ("orleans/serviceId", "ORLEANS_SERVICE_ID"), ("orleans/clusterId", "ORLEANS_CLUSTER_ID") })
        {
            var value = (string?)silo.PodLabels[label];
            Assert.False(string.IsNullOrEmpty(value), $"{overlay}: the pod template has no {label} label");
            // The id the silo configures must be the one on its pod, or the agent relabels pods and watches the wrong set.
            var entry = silo.EnvVar(variable);
            Assert.True(entry is not null, $"{overlay}: {variable} is not set");
            var source = (string?)entry!["valueFrom"]?["fieldRef"]?["fieldPath"];
            Assert.True(source == $"metadata.labels['{label}']" || (string?)entry["value"] == value,
                $"{overlay}: {variable} neither reads the {label} label nor equals it");
        }
        foreach (var (variable, field) in new[] { ("POD_NAME", "metadata.name"), ("POD_NAMESPACE", "metadata.namespace"), ("POD_IP", "status.podIP") })
        {
            Assert.Equal(field, (string?)silo.EnvVar(variable)?["valueFrom"]?["fieldRef"]?["fieldPath"]);
        }
    }

    [Theory]
    [MemberData(nameof(Overlays.All), MemberType = typeof(Overlays))]
    public void Services_expose_http_through_a_cluster_ip_and_the_orleans_ports_pod_to_pod(string overlay)
    {
        var manifest = Overlays.Render(overlay);
        var silo = Workload.In(manifest);
        Assert.Equal(silo.Setting("Orleans__SiloPort") ?? "11111", silo.ContainerPort("silo").ToString(CultureInfo.InvariantCulture));
        Assert.Equal(silo.Setting("Orleans__GatewayPort") ?? "30000", silo.ContainerPort("gateway").ToString(CultureInfo.InvariantCulture));

        var services = manifest.OfKind("Service").Where(s => silo.Selects(new JsonObject { ["matchLabels"] = s["spec"]!["selector"]!.DeepClone() })).ToList();
        var headless = services.SingleOrDefault(s => (string?)s["spec"]!["clusterIP"] == "None");
        Assert.True(headless is not null, $"{overlay}: no headless Service selects the silo pods");
        var peerPorts = headless!["spec"]!["ports"]!.AsArray().Select(p => (string?)p!["targetPort"]?.ToString()).ToHashSet();
        Assert.Superset(new HashSet<string?> { "silo", "gateway" }, peerPorts);
        // A joining silo must reach its peers before it is ready.
        Assert.True((bool?)headless["spec"]!["publishNotReadyAddresses"] ?? false);

        var http = services.SingleOrDefault(s => (string?)s["spec"]!["clusterIP"] != "None" && ((string?)s["spec"]!["type"] ?? "ClusterIP") == "ClusterIP");
        Assert.True(http is not null, $"{overlay}: no ClusterIP Service selects the silo pods");
        Assert.Contains(http!["spec"]!["ports"]!.AsArray(), p => p!["targetPort"]?.ToString() is "http" or "8080");
    }

    [Theory]
    [MemberData(nameof(Overlays.All), MemberType = typeof(Overlays))]
    public void Without_a_cluster_connection_string_the_overlay_runs_exactly_one_silo(string overlay)
    {
        var manifest = Overlays.Render(overlay);
        var silo = Workload.In(manifest);
        if (ClusterMode(manifest, silo))
        {
            return;
        }
        // The embedded SQLite store belongs to one process: a second silo would be a second, separate data set.
        Assert.Equal(1L, (long?)silo.Object["spec"]!["replicas"]);
        var hpa = manifest.OfKind("HorizontalPodAutoscaler").SingleOrDefault();
        Assert.True(hpa is null || (long?)hpa["spec"]!["maxReplicas"] == 1, $"{overlay}: embedded mode with an autoscaler that can add silos");
        Assert.Equal("Recreate", (string?)silo.Object["spec"]!["strategy"]?["type"]);
    }

    [Theory]
    [MemberData(nameof(Overlays.All), MemberType = typeof(Overlays))]
    public void Every_config_map_and_secret_the_silo_reads_is_rendered_or_declared_external(string overlay)
    {
        var manifest = Overlays.Render(overlay);
        var silo = Workload.In(manifest);
        foreach (var source in silo.Container["envFrom"]?.AsArray() ?? [])
        {
            if (source!["configMapRef"]?["name"] is { } map)
            {
                manifest.Single("ConfigMap", (string)map!);
            }
        }
        foreach (var entry in silo.Env)
        {
            if (entry["valueFrom"]?["secretKeyRef"] is not { } reference)
            {
                continue;
            }
            var name = (string)reference["name"]!;
            var secret = manifest.OfKind("Secret").SingleOrDefault(s => (string?)s["metadata"]!["name"] == name);
            if (secret is null)
            {
                // Managed outside the repository: allowed only where the overlay renders no secret at all.
                Assert.Empty(manifest.OfKind("Secret"));
                continue;
            }
            var optional = (bool?)reference["optional"] ?? false;
            Assert.True(optional || secret["data"]?[(string)reference["key"]!] is not null,
                $"{overlay}: {entry["name"]} needs key {reference["key"]} of Secret {name}, which lacks it");
        }
    }

    /// <summary>Whether the silo is sure to get ConnectionStrings__Cluster (PostgreSQL) rather than the embedded store.</summary>
    internal static bool ClusterMode(Manifest manifest, Workload silo)
    {
        var entry = silo.EnvVar("ConnectionStrings__Cluster");
        if (entry is null)
        {
            return silo.Setting("ConnectionStrings__Cluster") is { Length: > 0 };
        }
        if (entry["value"] is { } value)
        {
            return ((string?)value)?.Length > 0;
        }
        var reference = entry["valueFrom"]?["secretKeyRef"];
        if (reference is null)
        {
            return false;
        }
        var secret = manifest.OfKind("Secret").SingleOrDefault(s => (string?)s["metadata"]!["name"] == (string?)reference["name"]);
        return secret is null
            ? !((bool?)reference["optional"] ?? false) // external and required: the pod does not start without it
            : secret["data"]?[(string)reference["key"]!] is not null;
    }
}
