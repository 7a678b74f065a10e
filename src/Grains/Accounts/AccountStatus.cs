namespace Cluster.Grains.Accounts;

/// <summary>The sanction ladder's rungs as api-v1.md names them, and the sanctions that lead to them.</summary>
public static class AccountStatus
{
    public const string None = "none";
    public const string Warned = "warned";
    public const string Restricted = "restricted";
    public const string Suspended = "suspended";
    public const string Banned = "banned";

    public static readonly IReadOnlyList<string> Sanctions = ["none", "warn", "restrict", "suspend", "ban"];

    public static string ForSanction(string sanction) => sanction switch
    {
        "warn" => Warned,
        "restrict" => Restricted,
        "suspend" => Suspended,
        "ban" => Banned,
        _ => None,
    };

    /// <summary>The default ladder when a reviewer confirms a violation without naming a sanction.</summary>
    public static string ForStrikes(int strikes) => strikes switch
    {
        <= 0 => None,
        1 => Warned,
        2 => Restricted,
        3 or 4 => Suspended,
        _ => Banned,
    };

    public static int Rank(string status) => status switch
    {
        Warned => 1,
        Restricted => 2,
        Suspended => 3,
        Banned => 4,
        _ => 0,
    };
}
