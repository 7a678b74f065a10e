namespace Cluster.Silo.Accounts;

/// <summary>GET /v1/accounts/{account} (api-v1.md).</summary>
public sealed record AccountView(
    string Account,
    string Status,
    double RiskScore,
    IReadOnlyDictionary<string, double> Categories,
    int Strikes,
    DateTimeOffset? SanctionUntil,
    long Posts,
    long Violations);
