using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans;
using Orleans.Runtime;

namespace Cluster.Storage.Postgres;

/// <summary>Checks the queue lease options of a PostgreSQL stream provider at silo start, naming the option to fix.</summary>
internal sealed class PostgresQueueLeaseOptionsValidator(PostgresQueueLeaseOptions options, string name) : IConfigurationValidator
{
    public void ValidateConfiguration()
    {
        string Key(string option) => $"{nameof(PostgresQueueLeaseOptions)}.{option} of stream provider '{name}'";
        // A lease is taken and renewed by statements bounded by its length; below a second that bound is a round trip
        // on a busy server, and a silo would lose queues to its own latency.
        if (options.LeaseLength < TimeSpan.FromSeconds(1))
        {
            throw new OrleansConfigurationException($"{Key(nameof(options.LeaseLength))} must be at least 1 s, not {options.LeaseLength}.");
        }
        if (options.LeaseRenewPeriod <= TimeSpan.Zero || options.LeaseRenewPeriod > options.LeaseLength / 2)
        {
            throw new OrleansConfigurationException(
                $"{Key(nameof(options.LeaseRenewPeriod))} must be more than zero and at most half of LeaseLength ({options.LeaseLength}), " +
                $"so that a lease is renewed at least twice before it runs out; not {options.LeaseRenewPeriod}.");
        }
        if (options.LeaseAcquisitionPeriod <= TimeSpan.Zero)
        {
            throw new OrleansConfigurationException($"{Key(nameof(options.LeaseAcquisitionPeriod))} must be more than zero, not {options.LeaseAcquisitionPeriod}.");
        }
    }

    public static IConfigurationValidator Create(IServiceProvider services, string name) =>
        new PostgresQueueLeaseOptionsValidator(services.GetRequiredService<IOptionsMonitor<PostgresQueueLeaseOptions>>().Get(name), name);
}
