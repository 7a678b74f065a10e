using System.Text.Json;
using System.Text.Json.Serialization;
using Cluster.Ingest.Posts;

namespace Cluster.Ingest;

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(PostsAccepted))]
[JsonSerializable(typeof(ScreenResponse))]
internal sealed partial class IngestJson : JsonSerializerContext;
