using Cluster.Silo.Hosting;
using Cluster.Storage.Postgres;
using Cluster.Storage.Tests.Postgres;
using Cluster.Tests.ClusterMode;
using Cluster.Tests.Http;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace Cluster.Tests.ClusterProcess;

/// <summary>
/// The queue lease and failure-detection timings are silo settings (Orleans:LeaseLength, LeaseRenewPeriod,
/// LeaseAcquisitionPeriod, ProbeTimeout, MissedProbesLimit): defaults unchanged, bad values refused at start naming
/// the key, and set values reaching the lease balancer and Orleans' membership in cluster mode.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class FailoverSettingsTests(PostgresServer server)
{
    [Fact]
    public void The_defaults_are_the_lease_providers_and_Orleans_own_and_pass()
    {
        var options = new OrleansOptions();

        Assert.Null(options.Validate());
        Assert.Equal((TimeSpan.FromSeconds(1.5), TimeSpan.FromMilliseconds(500), TimeSpan.FromMilliseconds(250)),
            (options.LeaseLength, options.LeaseRenewPeriod, options.LeaseAcquisitionPeriod));
        Assert.Equal((TimeSpan.FromSeconds(5), 3), (options.ProbeTimeout, options.MissedProbesLimit));
        var leases = new PostgresQueueLeaseOptions();
        options.ConfigureLeases(leases);
        Assert.Equivalent(new PostgresQueueLeaseOptions(), leases);
        var membership = new ClusterMembershipOptions();
        options.ConfigureFailureDetection(membership);
        Assert.Equal((new ClusterMembershipOptions().ProbeTimeout, 3), (membership.ProbeTimeout, membership.NumMissedProbesLimit));
    }

    [Theory]
    [InlineData("LeaseLength", "00:00:00.5", "Orleans:LeaseLength must be at least 00:00:01")]
    [InlineData("LeaseRenewPeriod", "00:00:01", "Orleans:LeaseRenewPeriod must be more than zero and at most half of Orleans:LeaseLength")]
    [InlineData("LeaseRenewPeriod", "00:00:00", "Orleans:LeaseRenewPeriod must be more than zero")]
    [InlineData("LeaseAcquisitionPeriod", "00:00:00", "Orleans:LeaseAcquisitionPeriod must be more than zero, not 00:00:00")]
    [InlineData("ProbeTimeout", "00:00:00.05", "Orleans:ProbeTimeout must be between 00:00:00.1 and 00:01:00")]
    [InlineData("ProbeTimeout", "00:02:00", "Orleans:ProbeTimeout must be between 00:00:00.1 and 00:01:00")]
    [InlineData("MissedProbesLimit", "0", "Orleans:MissedProbesLimit must be between 1 and 10")]
    [InlineData("MissedProbesLimit", "11", "Orleans:MissedProbesLimit must be between 1 and 10")]
    public async Task A_timing_that_cannot_work_stops_the_silo_at_start_naming_the_key(string key, string value, string message)
    {
        await using var silo = new SiloFactory();
        using var bad = silo.WithWebHostBuilder(b => b.UseSetting($"Orleans:{key}", value));

        var ex = Assert.Throws<InvalidOperationException>(() => bad.CreateClient());

        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Set_timings_reach_the_queue_balancer_and_Orleans_membership_in_cluster_mode()
    {
        var database = server.CreateDatabase();
        try
        {
            await using var silo = new SiloFactory(cluster: database);
            using var tuned = silo.WithWebHostBuilder(b =>
            {
                b.UseSetting("Orleans:LeaseLength", "00:00:12");
                b.UseSetting("Orleans:LeaseRenewPeriod", "00:00:04");
                b.UseSetting("Orleans:LeaseAcquisitionPeriod", "00:00:01.5");
                b.UseSetting("Orleans:ProbeTimeout", "00:00:02");
                b.UseSetting("Orleans:MissedProbesLimit", "4");
            });
            tuned.CreateClient();

            var leases = tuned.Services.GetRequiredService<IOptionsMonitor<PostgresQueueLeaseOptions>>().Get(Cluster.Grains.Streams.PostStreams.Provider);
            Assert.Equal((TimeSpan.FromSeconds(12), TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(1.5)),
                (leases.LeaseLength, leases.LeaseRenewPeriod, leases.LeaseAcquisitionPeriod));
            var membership = tuned.Services.GetRequiredService<IOptions<ClusterMembershipOptions>>().Value;
            Assert.Equal((TimeSpan.FromSeconds(2), 4), (membership.ProbeTimeout, membership.NumMissedProbesLimit));
        }
        finally
        {
            server.DropDatabase(database);
        }
    }
}
