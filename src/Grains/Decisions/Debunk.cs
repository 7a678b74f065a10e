namespace Cluster.Grains.Decisions;

/// <summary>The debunk notice attached to a rumor hit (辟谣联动), so a platform can label rather than only remove.</summary>
public sealed record Debunk(string RumorId, string Title, string Url);
