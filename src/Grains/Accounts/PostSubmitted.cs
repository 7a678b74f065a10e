using Cluster.Grains.Decisions;

namespace Cluster.Grains.Accounts;

/// <summary>
/// One screened version of a post for its AccountGrain to decide: an event of the "posts" stream (key
/// platform/account), or the argument of <see cref="IAccountGrain.DecideAsync"/> on the synchronous path. Carries
/// findings (and the debunk notice of a known rumor it repeats), never text. V2 added <see cref="Version"/>; a V1
/// payload (JSON rows of the inbox of earlier builds) is version 1.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record PostSubmitted(
    [property: Id(0)] int V,
    [property: Id(1)] string Platform,
    [property: Id(2)] string PostId,
    [property: Id(3)] string Account,
    [property: Id(4)] string Kind,
    [property: Id(5)] DateTimeOffset ReceivedAt,
    [property: Id(6)] AccountMeta? Meta,
    [property: Id(7)] IReadOnlyList<PostFinding> Findings,
    [property: Id(8)] Debunk? Debunk = null,
    [property: Id(9)] int Version = 1)
{
    public const string MessageKind = "post";
    public const int CurrentV = 2;
}
