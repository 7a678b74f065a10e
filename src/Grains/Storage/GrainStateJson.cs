using System.Text.Json;
using Orleans.Storage;

namespace Cluster.Grains.Storage;

/// <summary>
/// Grain state as the source-generated JSON of <see cref="GrainsJson"/> (camelCase, nulls left out): the same JSON the
/// partition runtime of earlier builds stored for AccountState, so its rows, copied into grain storage at start, read
/// as they are. A state type missing from <see cref="GrainsJson"/> fails loudly on its first write.
/// </summary>
public sealed class GrainStateJson : IGrainStorageSerializer
{
    public BinaryData Serialize<T>(T? input) =>
        new(JsonSerializer.SerializeToUtf8Bytes(input, GrainsJson.Default.GetTypeInfo(typeof(T)) ?? throw Missing(typeof(T))));

    public T Deserialize<T>(BinaryData input) =>
        (T)JsonSerializer.Deserialize(input.ToMemory().Span, GrainsJson.Default.GetTypeInfo(typeof(T)) ?? throw Missing(typeof(T)))!;

    private static InvalidOperationException Missing(Type type) => new($"{type.Name} is not in GrainsJson; add [JsonSerializable(typeof({type.Name}))].");
}
