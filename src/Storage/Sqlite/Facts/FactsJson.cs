using System.Text.Json;
using System.Text.Json.Serialization;

namespace Cluster.Storage.Sqlite.Facts;

/// <summary>Source-generated JSON of the facts store's own stored bodies.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(DecisionBody))]
internal sealed partial class FactsJson : JsonSerializerContext;
