namespace Cluster.Storage.Tests.Support;

/// <summary>
/// The test grain's persisted state: the sequence token of the last applied event (the dedupe mark) and the numbers
/// applied, in order, so a loss or a double application shows. Version lets a later shape read this one.
/// </summary>
public sealed class AppliedState
{
    public int Version { get; set; } = 1;

    public long LastSeq { get; set; }

    public List<int> Applied { get; set; } = [];

    public int Counter { get; set; }
}
