using System.Collections.Concurrent;
using Cluster.Grains.Auth;

namespace Cluster.Ingest.Auth;

/// <summary>Principals by token hash, so a request costs no store read after a token's first use.</summary>
public sealed class BearerTokenCache
{
    public ConcurrentDictionary<string, Principal> Principals { get; } = new(StringComparer.Ordinal);
}
