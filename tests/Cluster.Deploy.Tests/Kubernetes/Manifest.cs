using System.Globalization;
using System.Text.Json.Nodes;
using YamlDotNet.RepresentationModel;

namespace Cluster.Deploy.Tests.Kubernetes;

/// <summary>A rendered YAML stream as JSON objects, so tests navigate it with indexers.</summary>
internal sealed class Manifest(IReadOnlyList<JsonObject> objects)
{
    public IReadOnlyList<JsonObject> Objects { get; } = objects;

    public IEnumerable<JsonObject> OfKind(string kind) =>
        Objects.Where(o => (string?)o["kind"] == kind);

    public JsonObject Single(string kind, string name)
    {
        var found = OfKind(kind).Where(o => (string?)o["metadata"]?["name"] == name).ToList();
        return found.Count == 1 ? found[0] : throw new InvalidOperationException($"expected one {kind} named {name}, found {found.Count}");
    }

    public static Manifest Parse(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        var objects = stream.Documents
            .Where(d => d.RootNode is YamlMappingNode)
            .Select(d => (JsonObject)ToJson(d.RootNode)!)
            .ToList();
        return new Manifest(objects);
    }

    /// <summary>Plain scalars keep their YAML 1.2 core types (null, bool, integer); quoted ones stay strings.</summary>
    private static JsonNode? ToJson(YamlNode node)
    {
        switch (node)
        {
            case YamlMappingNode map:
                var obj = new JsonObject();
                foreach (var (key, value) in map.Children)
                {
                    obj[((YamlScalarNode)key).Value!] = ToJson(value);
                }
                return obj;
            case YamlSequenceNode seq:
                var array = new JsonArray();
                foreach (var item in seq.Children)
                {
                    array.Add(ToJson(item));
                }
                return array;
            case YamlScalarNode { Style: YamlDotNet.Core.ScalarStyle.Plain } plain:
                var text = plain.Value ?? "";
                if (text is "" or "~" or "null")
                {
                    return null;
                }
                if (text is "true" or "false")
                {
                    return JsonValue.Create(text == "true");
                }
                return long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number)
                    ? JsonValue.Create(number)
                    : JsonValue.Create(text);
            case YamlScalarNode scalar:
                return JsonValue.Create(scalar.Value ?? "");
            default:
                throw new InvalidOperationException($"unexpected YAML node {node.NodeType}");
        }
    }
}
