using System.Text.Json;
using System.Text.Json.Serialization;
using Cluster.Grains.Accounts;
using Cluster.Grains.Decisions;
using Cluster.Grains.Platforms;

namespace Cluster.Grains.Storage;

/// <summary>Source-generated JSON for every persisted shape (grain state, stored verdicts, stored bodies, inbox rows of earlier builds).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(AccountState))]
[JsonSerializable(typeof(PlatformTotals))]
[JsonSerializable(typeof(PostSubmitted))]
[JsonSerializable(typeof(ReviewVerdict))]
[JsonSerializable(typeof(List<DecisionLabel>))]
[JsonSerializable(typeof(Dictionary<string, Threshold>))]
[JsonSerializable(typeof(string[]))]
internal sealed partial class GrainsJson : JsonSerializerContext;
