using Cluster.Storage.Postgres;
using Npgsql;
using Orleans.Runtime;

namespace Cluster.Storage.Tests.Postgres;

public sealed class PostgresQueueLeaseOptionsTests
{
    [Fact]
    public void The_defaults_pass() => new PostgresQueueLeaseOptionsValidator(new PostgresQueueLeaseOptions(), "posts").ValidateConfiguration();

    [Fact]
    public void Leases_use_a_pool_of_two_connections_of_their_own()
    {
        var own = new NpgsqlConnectionStringBuilder(PostgresLeaseProvider.OwnPool("Host=h;Database=d;Maximum Pool Size=50;Minimum Pool Size=10"));

        Assert.Equal(("h", "d", 2, 2), (own.Host, own.Database, own.MaxPoolSize, own.MinPoolSize));
    }

    [Theory]
    [InlineData(500, 200, 100, "PostgresQueueLeaseOptions.LeaseLength of stream provider 'posts' must be at least 1 s, not 00:00:00.5000000")]
    [InlineData(2000, 1500, 100, "PostgresQueueLeaseOptions.LeaseRenewPeriod of stream provider 'posts' must be more than zero and at most half of LeaseLength")]
    [InlineData(2000, 0, 100, "PostgresQueueLeaseOptions.LeaseRenewPeriod of stream provider 'posts' must be more than zero")]
    [InlineData(2000, 500, 0, "PostgresQueueLeaseOptions.LeaseAcquisitionPeriod of stream provider 'posts' must be more than zero, not 00:00:00")]
    public void Lease_timings_that_cannot_work_are_refused_naming_the_option(int lengthMs, int renewMs, int acquireMs, string message)
    {
        var options = new PostgresQueueLeaseOptions
        {
            LeaseLength = TimeSpan.FromMilliseconds(lengthMs),
            LeaseRenewPeriod = TimeSpan.FromMilliseconds(renewMs),
            LeaseAcquisitionPeriod = TimeSpan.FromMilliseconds(acquireMs),
        };

        var ex = Assert.Throws<OrleansConfigurationException>(() => new PostgresQueueLeaseOptionsValidator(options, "posts").ValidateConfiguration());

        Assert.StartsWith(message, ex.Message, StringComparison.Ordinal);
    }
}
