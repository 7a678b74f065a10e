namespace Cluster.Silo.Hosting;

/// <summary>Azure Storage mode's settings ("AzureStorage" section); the account is <c>ConnectionStrings:AzureStorage</c>.</summary>
public sealed class AzureStorageOptions
{
    /// <summary>
    /// How long a "posts" queue message a silo has read stays invisible to every reader (AzureStorage:VisibilityTimeout);
    /// Azure's own default. It is acknowledged by deleting it once its AccountGrain's effects are durable; a message a
    /// crashed silo held comes back after this long, and one still in a cache this long comes back too (the grain's
    /// marks skip it). Shorter means faster recovery after a crash and more redeliveries under load.
    /// </summary>
    public TimeSpan VisibilityTimeout { get; set; } = TimeSpan.FromSeconds(30);

    public string? Validate() =>
        VisibilityTimeout < TimeSpan.FromSeconds(1) || VisibilityTimeout > TimeSpan.FromDays(7)
            ? "AzureStorage:VisibilityTimeout must be between 00:00:01 and 7 days (Azure's limits)." : null;
}
