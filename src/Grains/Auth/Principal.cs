namespace Cluster.Grains.Auth;

/// <summary>Who a bearer token belongs to. For a platform key, <see cref="Id"/> is the platform id.</summary>
public sealed record Principal(PrincipalKind Kind, string Id, string Role, IReadOnlyList<string> Queues);
