using System.Net;
using Cluster.Storage.Postgres;
using Orleans.Configuration;

namespace Cluster.Silo.Hosting;

/// <summary>The Orleans silo's own settings ("Orleans" section).</summary>
public sealed class OrleansOptions
{
    /// <summary>Silo-to-silo port (Orleans:SiloPort); give each silo on one machine its own.</summary>
    public int SiloPort { get; set; } = 11111;

    /// <summary>Client gateway port (Orleans:GatewayPort).</summary>
    public int GatewayPort { get; set; } = 30000;

    /// <summary>An activation idle this long is collected; its state is in storage (Orleans:IdleTimeout).</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Stream queues of the "posts" provider (Orleans:Queues); part of the stored format, fixed per deployment.</summary>
    public int Queues { get; set; } = 128;

    /// <summary>
    /// Cluster mode: the cluster's id in the membership table (Orleans:ClusterId); silos with one id on one database
    /// form one cluster. In a Kubernetes pod Orleans' Kubernetes hosting takes it from ORLEANS_CLUSTER_ID instead.
    /// </summary>
    public string ClusterId { get; set; } = "screening";

    /// <summary>Cluster mode: the service id (Orleans:ServiceId); in a pod, ORLEANS_SERVICE_ID.</summary>
    public string ServiceId { get; set; } = "screening";

    /// <summary>
    /// Cluster mode outside Kubernetes: the IP address other silos reach this one at (Orleans:AdvertisedAddress).
    /// Empty: the host name's address, as Orleans picks it. In a pod Kubernetes hosting advertises the pod IP.
    /// </summary>
    public string AdvertisedAddress { get; set; } = "";

    /// <summary>
    /// Cluster mode: how long a "posts" stream queue stays leased to a silo that stopped renewing (Orleans:LeaseLength);
    /// with the death declaration below, how long a crashed silo's queues may go unread. docs/storage.md has the
    /// trade-off; the defaults are <see cref="PostgresQueueLeaseOptions"/>' (1.5 s, 0.5 s, 0.25 s), for one machine.
    /// </summary>
    public TimeSpan LeaseLength { get; set; } = LeaseDefaults.LeaseLength;

    /// <summary>Cluster mode: how often a silo renews its queue leases (Orleans:LeaseRenewPeriod); at most half the lease.</summary>
    public TimeSpan LeaseRenewPeriod { get; set; } = LeaseDefaults.LeaseRenewPeriod;

    /// <summary>Cluster mode: how often a silo short of its share of the queues tries to lease more (Orleans:LeaseAcquisitionPeriod).</summary>
    public TimeSpan LeaseAcquisitionPeriod { get; set; } = LeaseDefaults.LeaseAcquisitionPeriod;

    /// <summary>
    /// Cluster and Azure Storage modes: how long a liveness probe of another silo may take before it counts as missed (Orleans:ProbeTimeout;
    /// Orleans' ProbeTimeout, default 5 s). 1 s with <see cref="MissedProbesLimit"/> 2 declares a killed silo dead in about
    /// 2 s on one machine; on real networks keep 2–5 s (docs/storage.md, "Failure detection").
    /// </summary>
    public TimeSpan ProbeTimeout { get; set; } = MembershipDefaults.ProbeTimeout;

    /// <summary>Cluster and Azure Storage modes: consecutive missed probes after which a silo votes another dead (Orleans:MissedProbesLimit; Orleans' default 3).</summary>
    public int MissedProbesLimit { get; set; } = MembershipDefaults.NumMissedProbesLimit;

    private static PostgresQueueLeaseOptions LeaseDefaults { get; } = new();

    private static ClusterMembershipOptions MembershipDefaults { get; } = new();

    public string? Validate() =>
        SiloPort is < 1 or > 65535 ? "Orleans:SiloPort must be a TCP port (1-65535)." :
        GatewayPort is < 1 or > 65535 ? "Orleans:GatewayPort must be a TCP port (1-65535)." :
        SiloPort == GatewayPort ? "Orleans:SiloPort and Orleans:GatewayPort must differ." :
        IdleTimeout <= TimeSpan.FromMinutes(1) ? "Orleans:IdleTimeout must be longer than 00:01:00 (Orleans collects activations once a minute)." :
        Queues is < 1 or > 4096 ? "Orleans:Queues must be between 1 and 4096." :
        string.IsNullOrWhiteSpace(ClusterId) ? "Orleans:ClusterId must not be empty." :
        string.IsNullOrWhiteSpace(ServiceId) ? "Orleans:ServiceId must not be empty." :
        AdvertisedAddress.Length > 0 && !IPAddress.TryParse(AdvertisedAddress, out _) ? "Orleans:AdvertisedAddress must be an IP address (or empty)." :
        // A lease is taken and renewed by statements bounded by its length; below a second that is a round trip on a busy
        // server, and a silo would lose its queues to its own latency.
        LeaseLength < TimeSpan.FromSeconds(1) ? $"Orleans:LeaseLength must be at least 00:00:01, not {LeaseLength}." :
        LeaseRenewPeriod <= TimeSpan.Zero || LeaseRenewPeriod > LeaseLength / 2
            ? $"Orleans:LeaseRenewPeriod must be more than zero and at most half of Orleans:LeaseLength ({LeaseLength}), so a lease is renewed twice before it runs out; not {LeaseRenewPeriod}." :
        LeaseAcquisitionPeriod <= TimeSpan.Zero ? $"Orleans:LeaseAcquisitionPeriod must be more than zero, not {LeaseAcquisitionPeriod}." :
        // Below 100 ms a probe misses on a scheduling hiccup; above a minute (times the missed probes) a dead silo keeps
        // its grains and queues for minutes.
        ProbeTimeout < TimeSpan.FromMilliseconds(100) || ProbeTimeout > TimeSpan.FromMinutes(1)
            ? $"Orleans:ProbeTimeout must be between 00:00:00.1 and 00:01:00, not {ProbeTimeout}." :
        MissedProbesLimit is < 1 or > 10 ? $"Orleans:MissedProbesLimit must be between 1 and 10, not {MissedProbesLimit}." : null;

    /// <summary>Cluster mode: the lease timings of the "posts" stream provider.</summary>
    internal void ConfigureLeases(PostgresQueueLeaseOptions leases)
    {
        leases.LeaseLength = LeaseLength;
        leases.LeaseRenewPeriod = LeaseRenewPeriod;
        leases.LeaseAcquisitionPeriod = LeaseAcquisitionPeriod;
    }

    /// <summary>Cluster mode: Orleans' failure detection.</summary>
    internal void ConfigureFailureDetection(ClusterMembershipOptions membership)
    {
        membership.ProbeTimeout = ProbeTimeout;
        membership.NumMissedProbesLimit = MissedProbesLimit;
    }
}
