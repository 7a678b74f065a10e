namespace Cluster.Grains.Platforms;

/// <summary>
/// One platform (key: platform id): its decision policy with versions, and its decision aggregates, fed by each silo's
/// <see cref="PlatformAggregator"/> once a second rather than by one message per post.
/// </summary>
public interface IPlatformGrain : IGrainWithStringKey
{
    /// <summary>Records a policy version (the store's version number); an older version than the one held is ignored.</summary>
    Task SetPolicyAsync(PlatformPolicyRecord policy);

    Task<PlatformPolicyRecord?> GetPolicyAsync();

    /// <summary>Adds one silo's counts since its last delta.</summary>
    Task AddAsync(PlatformDelta delta);

    Task<PlatformTotals> GetTotalsAsync();
}
