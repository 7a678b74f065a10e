namespace Cluster.Ingest.Posts;

/// <summary>Open while the silo accepts posts; closed first on shutdown so the drain has a fixed amount of work.</summary>
public sealed class IngestGate
{
    private volatile bool _open;

    public bool IsOpen => _open;

    public void Open() => _open = true;

    public void Close() => _open = false;
}
