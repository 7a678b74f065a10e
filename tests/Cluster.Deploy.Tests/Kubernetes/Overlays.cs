namespace Cluster.Deploy.Tests.Kubernetes;

/// <summary>The overlays under deploy/kustomize/overlays, found on disk so a new one is tested without a code change.</summary>
internal static class Overlays
{
    public const string Folder = "deploy/kustomize/overlays";

    public static IReadOnlyList<string> Names =>
        Directory.GetDirectories(RepositoryRoot.File(Folder))
            .Where(d => File.Exists(Path.Combine(d, "kustomization.yaml")))
            .Select(d => Path.GetFileName(d)!)
            .Order(StringComparer.Ordinal)
            .ToList();

    public static TheoryData<string> All()
    {
        var data = new TheoryData<string>();
        foreach (var name in Names)
        {
            data.Add(name);
        }
        return data;
    }

    public static Manifest Render(string overlay) => Kustomize.Render($"{Folder}/{overlay}");
}
