using System.Text.Json;
using Cluster.Grains.Runtime;

namespace Cluster.Grains.Tests.Runtime;

/// <summary>A test grain whose state is the list of payloads it applied, in order; turns yield to expose interleaving.</summary>
internal sealed class RecordingGrain : Grain
{
    public const string Type = "recording";

    private readonly TurnProbe _probe;
    private readonly List<string> _applied;

    public RecordingGrain(GrainId id, string? state, TurnProbe probe)
        : base(id)
    {
        _probe = probe;
        _applied = state is null ? [] : JsonSerializer.Deserialize<List<string>>(state)!;
    }

    public override async ValueTask ApplyAsync(InboxEnvelope envelope, TurnContext context)
    {
        _probe.Enter(Id);
        try
        {
            if (envelope.Message.Payload == "throw")
            {
                throw new InvalidOperationException("poison message");
            }
            await Task.Yield();
            await Task.Yield();
            _applied.Add(envelope.Message.Payload);
        }
        finally
        {
            _probe.Exit(Id);
        }
    }

    public override string SaveState() => JsonSerializer.Serialize(_applied);

    public static List<string> Read(string state) => JsonSerializer.Deserialize<List<string>>(state)!;
}
