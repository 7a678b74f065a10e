using Cluster.Storage.Postgres;
using Microsoft.Extensions.Options;
using Orleans.Runtime;

namespace Cluster.Storage.Tests.Postgres;

public sealed class PostgresOptionsTests
{
    [Theory]
    [InlineData("", "is required")]
    [InlineData("Host=127.0.0.1;Nonsense=1", "is not a valid Npgsql connection string")]
    [InlineData("Host=127.0.0.1", "must name Host and Database")]
    public void A_bad_connection_string_is_refused_at_start_naming_the_option_and_provider(string connectionString, string why)
    {
        var streams = Assert.Throws<OrleansConfigurationException>(() =>
            new PostgresStreamOptionsValidator(new PostgresStreamOptions { ConnectionString = connectionString }, "posts").ValidateConfiguration());
        Assert.Contains("PostgresStreamOptions.ConnectionString of stream provider 'posts'", streams.Message, StringComparison.Ordinal);
        Assert.Contains(why, streams.Message, StringComparison.Ordinal);

        var state = Assert.Throws<OrleansConfigurationException>(() =>
            new PostgresGrainStorageOptionsValidator(new PostgresGrainStorageOptions { ConnectionString = connectionString }, "state").ValidateConfiguration());
        Assert.Contains("PostgresGrainStorageOptions.ConnectionString of grain storage 'state'", state.Message, StringComparison.Ordinal);

        var clustering = Assert.Throws<OrleansConfigurationException>(() =>
            new PostgresClusteringOptionsValidator(Options.Create(new PostgresClusteringOptions { ConnectionString = connectionString })).ValidateConfiguration());
        Assert.Contains("PostgresClusteringOptions.ConnectionString", clustering.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Stream_options_out_of_range_are_refused_naming_the_option()
    {
        var ex = Assert.Throws<OrleansConfigurationException>(() => new PostgresStreamOptionsValidator(
            new PostgresStreamOptions { ConnectionString = "Host=h;Database=d", QueueCount = 0 }, "posts").ValidateConfiguration());
        Assert.Contains("PostgresStreamOptions.QueueCount of stream provider 'posts' must be 1..4096, not 0", ex.Message, StringComparison.Ordinal);
    }
}
