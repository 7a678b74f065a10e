using System.Text.Json;
using System.Text.Json.Serialization;

namespace Cluster.Silo.Review;

/// <summary>Source-generated contracts of the review request bodies, read by <see cref="Ingest.Problems.RequestBody"/>.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(ClaimBody))]
[JsonSerializable(typeof(VerdictBody))]
internal sealed partial class ReviewJson : JsonSerializerContext;
