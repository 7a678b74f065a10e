namespace Cluster.Screening.NearDuplicates;

/// <summary>A known false claim and the page that debunks it, as loaded into a <see cref="RumorLibrary"/>.</summary>
public sealed record Rumor(string Id, string Title, string Claim, string DebunkUrl);
