namespace Cluster.Grains.Lexicons;

/// <summary>A rumor in the debunk library (辟谣库): the claim that spreads and the page that refutes it.</summary>
public sealed record StoredRumor(string Id, string Title, string Claim, string DebunkUrl, DateTimeOffset CreatedAt);
