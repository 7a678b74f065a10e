namespace Cluster.Grains.Runtime;

/// <summary>
/// A virtual actor. The runtime activates it on its first message, runs one turn at a time (a partition host
/// applies its inbox strictly in sequence), persists <see cref="SaveState"/> with write-behind and collects the
/// activation when idle. Turns must not block, must not escape with Task.Run or ConfigureAwait(false), and
/// reach other grains only through <see cref="TurnContext.Send"/>.
/// </summary>
public abstract class Grain(GrainId id)
{
    public GrainId Id { get; } = id;

    /// <summary>The last inbox sequence applied; a message at or below it is a replay and is skipped.</summary>
    public long LastAppliedSeq { get; internal set; }

    public abstract ValueTask ApplyAsync(InboxEnvelope envelope, TurnContext context);

    public abstract string SaveState();
}
