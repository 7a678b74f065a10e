namespace Cluster.Grains.Accounts;

/// <summary>A stage-1 finding as carried in the inbox: category by wire name, evidence already masked.</summary>
public sealed record PostFinding(string Category, double Weight, int Start, int End, string Text, string Source);
