namespace Cluster.Grains.Auth;

public enum PrincipalKind : byte
{
    Admin,
    Platform,
    Reviewer,
}
