namespace Cluster.Storage.Streams;

/// <summary>What one append gave one queue: the sequences <see cref="FirstSeq"/> … FirstSeq + Count − 1, consecutive.</summary>
public readonly record struct QueueAppend(int Queue, long FirstSeq, int Count);
