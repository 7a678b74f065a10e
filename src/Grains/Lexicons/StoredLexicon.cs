namespace Cluster.Grains.Lexicons;

public sealed record StoredLexicon(string Name, long Version, string Body, int Terms, DateTimeOffset UpdatedAt);
