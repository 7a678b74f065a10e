using System.Text.Json;
using System.Text.Json.Serialization;

namespace Cluster.Silo.Admin;

/// <summary>Source-generated contracts of the admin request bodies, read by <see cref="Ingest.Problems.RequestBody"/>.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(CreatePlatformRequest))]
[JsonSerializable(typeof(CreateReviewerRequest))]
[JsonSerializable(typeof(PolicyRequest))]
[JsonSerializable(typeof(RumorRequest))]
internal sealed partial class AdminJson : JsonSerializerContext;
